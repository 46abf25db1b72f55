"""Small helpers shared by the kernels: arrays in, plain JSON-safe values out."""

from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np


def floats(*values) -> list[np.ndarray]:
    """Broadcast the inputs to 1-d float arrays of one common length."""
    arrays = np.broadcast_arrays(*[np.atleast_1d(np.asarray(v, dtype=float)) for v in values])
    return [np.ascontiguousarray(a, dtype=float).ravel() for a in arrays]


def same_length(where, **arrays) -> None:
    """Raise StatsInputError when the 1-d inputs do not all have the same length."""
    from .errors import StatsInputError

    lengths = {name: np.size(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} : {v}" for k, v in lengths.items())
        raise StatsInputError(f"les tableaux n'ont pas la même longueur ({detail})")


def clean(x) -> float | None:
    """A plain float, or None when it is missing, NaN or infinite."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def column(a) -> list:
    """A numpy array as a list of plain floats, None where not finite."""
    a = np.asarray(a, dtype=float)
    out = np.where(np.isfinite(a), a, np.nan).tolist()
    return [None if v != v else v for v in out]


def pairs(low, high) -> list:
    """Two arrays of bounds as a list of [low, high] (None for a missing bound)."""
    return [list(p) for p in zip(column(low), column(high))]


def is_int(a: np.ndarray) -> np.ndarray:
    return np.isfinite(a) & (np.floor(a) == a)


@contextlib.contextmanager
def quiet():
    """Silence numpy and statsmodels warnings: edge cases are reported in French."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield
