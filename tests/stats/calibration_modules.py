"""Load a calibration module of ``benchmarks/calibration/`` by name (the benchmarks
folder is not a package of the project)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "benchmarks" / "calibration"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"calibration_{name}", FOLDER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
