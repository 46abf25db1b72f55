"""Calibration of TAL's designs: one module per design, each exposing

    rows(reduced: bool, seed: int) -> list[dict]

with keys ``design``, ``setting``, ``measure``, ``value``, ``target`` (text, e.g.
"≤ 0.07") and ``ok`` (the value meets its target). ``benchmarks/calibration.py``
runs them all and prints the table; ``reduced`` is the small version the test suite
runs with fixed seeds.
"""

ALPHA = 0.05
FPR_TARGET = 0.07
COVERAGE_TARGET = 0.93


def row(design: str, setting: str, measure: str, value: float, target: float, at_most: bool) -> dict:
    """One figure next to its target (``at_most``: the value must not exceed it)."""
    ok = value <= target if at_most else value >= target
    return {"design": design, "setting": setting, "measure": measure, "value": float(value),
            "target": f"{'≤' if at_most else '≥'} {target:g}", "ok": bool(ok)}
