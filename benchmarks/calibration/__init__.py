"""Calibration modules run by ``benchmarks/calibration.py``: each exposes
``rows(reduced: bool, seed: int) -> list[dict]`` with the keys design, setting,
measure, value, target, ok."""
