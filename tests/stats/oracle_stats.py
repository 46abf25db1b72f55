"""Read the reference values of tests/stats/oracle.json (see its meta.source)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

ORACLE = Path(__file__).resolve().parent / "oracle.json"


def load_cases() -> dict:
    data = json.loads(ORACLE.read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["cases"]}


def _num(x):
    if isinstance(x, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[x]
    return x


def assert_close(engine, spec, label="") -> None:
    """|engine − expected| <= atol + rtol·|expected|, elementwise; non-finite must match."""
    expected = spec["value"]
    if isinstance(expected, dict):
        raise TypeError("dict expectations are compared key by key by the caller")
    exp = np.atleast_1d(np.array([_num(v) for v in np.atleast_1d(expected).tolist()], dtype=float))
    got = np.atleast_1d(np.asarray(engine, dtype=float))
    assert got.shape == exp.shape, f"{label}: shape {got.shape} != {exp.shape}"
    for g, e in zip(got, exp):
        if not math.isfinite(e):
            assert (math.isnan(e) and math.isnan(g)) or g == e, f"{label}: {g} != {e}"
            continue
        tol = spec["atol"] + spec["rtol"] * abs(e)
        assert abs(g - e) <= tol, f"{label}: engine {g!r} expected {e!r} (tol {tol:g})"
