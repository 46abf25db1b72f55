"""Calibration: does each design keep its promised error rates on the samples
collectivités have? (STATS.md, Calibration; issue 10.)

Run from the repository root:  python benchmarks/calibration.py [--reduced] [--seed N]

Each module of ``benchmarks/calibration/`` simulates one design and returns rows
(design, setting, measure, value, target, ok); this script prints them as a table
and exits with status 1 when a figure misses its target. ``--reduced`` is the small
version the test suite runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from calibration import before_after, comparison_group, planning, sequential  # noqa: E402

MODULES = [before_after, comparison_group, sequential, planning]


def run(reduced: bool = False, seed: int = 2026) -> list[dict]:
    return [r for module in MODULES for r in module.rows(reduced, seed)]


def table(rows: list[dict]) -> str:
    head = ("design", "setting", "measure", "value", "target", "ok")
    cells = [[r["design"], r["setting"], r["measure"], f"{r['value']:.3f}", r["target"] or "—",
              "—" if r["ok"] is None else "ok" if r["ok"] else "MISSED"] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reduced", action="store_true", help="the small version run by the tests")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = run(args.reduced, args.seed)
    print(table(rows))
    missed = [r for r in rows if r["ok"] is False]  # rows without a target are shown for comparison
    print(f"\n{len(rows)} figures, {len(missed)} missed, {time.perf_counter() - start:.0f} s")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
