"""Calibration of TAL's designs: one module per design, each exposing

    rows(reduced: bool, seed: int) -> list[dict]

with keys ``design``, ``setting``, ``measure``, ``value``, ``target`` (text, e.g.
"≤ 0.07") and ``ok`` (the value meets its target). ``benchmarks/calibration.py``
runs them all and prints the table; ``reduced`` is the small version the test suite
runs with fixed seeds. A reduced run has few simulations per figure, so its figures
are checked against the target widened by two Monte Carlo standard errors
(``slack``); the full run checks the targets themselves.
"""

from math import sqrt

ALPHA = 0.05
FPR_TARGET = 0.07
COVERAGE_TARGET = 0.93


def slack(target: float, runs: int, reduced: bool) -> float:
    """Two binomial standard errors at the target rate for a reduced run, else 0."""
    return 2.0 * sqrt(target * (1.0 - target) / runs) if reduced else 0.0


def row(design: str, setting: str, measure: str, value: float, target: float, at_most: bool,
        tolerance: float = 0.0) -> dict:
    """One figure next to its target (``at_most``: the value must not exceed it), allowing
    ``tolerance`` of Monte Carlo error (see ``slack``)."""
    ok = value <= target + tolerance if at_most else value >= target - tolerance
    text = f"{'≤' if at_most else '≥'} {target:g}" + (f" ± {tolerance:.3f}" if tolerance else "")
    return {"design": design, "setting": setting, "measure": measure, "value": float(value),
            "target": text, "ok": bool(ok)}
