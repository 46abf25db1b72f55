"""Load a calibration module of ``benchmarks/calibration/`` by name (the benchmarks
folder is not a package of the project; ``calibration`` is a package inside it)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(f"calibration.{name}")
    finally:
        sys.path.remove(str(BENCHMARKS))
