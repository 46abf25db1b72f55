"""Benchmark: crafted experiment files are refused as fast as a sample file is read.

Run from the repository root:  python benchmarks/bench_toml_limits.py

Prints, measured in the same run, the time to refuse each crafted file (a dotted key
of 40,000 parts, 100,000 nested arrays, 100,000 nested inline tables, a table name of
40,000 parts) and its ratio to the time `fileformat.parse` takes on the largest
sample file (the baseline). Target: every crafted file refused in under a second and
in less than 5 times the baseline; exit status 1 when one fails.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tal.core.errors import DomainError  # noqa: E402
from tal.experiments import fileformat  # noqa: E402

CRAFTED = {
    "dotted key, 40,000 parts": 'format = "tal-experiment/1"\n' + ".".join(["a"] * 40_000) + " = 1\n",
    "100,000 nested arrays": 'format = "tal-experiment/1"\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n",
    "100,000 nested inline tables": "x = " + "{a = " * 100_000 + "1" + "}" * 100_000 + "\n",
    "table name, 40,000 parts": "[" + ".".join(["t"] * 40_000) + "]\n",
}


def timed(text: str) -> float:
    start = time.perf_counter()
    try:
        fileformat.parse(text, "x.toml")
    except DomainError:
        pass
    return time.perf_counter() - start


def main() -> int:
    sample = max((ROOT / "experiments").glob("*.toml"), key=lambda p: p.stat().st_size).read_text(encoding="utf-8")
    baseline = min(timed(sample) for _ in range(5))
    print(f"baseline: largest sample file parsed and checked in {baseline * 1000:.1f} ms")
    ok = True
    for name, text in CRAFTED.items():
        seconds = min(timed(text) for _ in range(3))
        ratio = seconds / baseline
        passed = seconds < 1 and ratio < 5
        ok &= passed
        print(f"{name:32} {seconds * 1000:8.1f} ms  ratio {ratio:6.2f}  {'ok' if passed else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
