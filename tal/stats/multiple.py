"""Holm's step-down adjustment, vectorised over many families at once.

``holm(p, family)`` adjusts the p-values of each family (same label in
``family``) separately, exactly as ``multipletests(method='holm')`` does for one
family: sort ascending, multiply the j-th smallest by (m − j + 1), take the running
maximum, cap at 1. NaN p-values (not estimable) are left out and stay NaN.
"""

from __future__ import annotations

import numpy as np


def holm(p_values, family=None) -> np.ndarray:
    p = np.asarray(p_values, dtype=float).ravel()
    fam = np.zeros(p.size, dtype=np.int64) if family is None else np.unique(np.asarray(family), return_inverse=True)[1].ravel()
    out = np.full(p.size, np.nan)
    ok = np.isfinite(p)
    if not ok.any():
        return out
    idx = np.flatnonzero(ok)
    pv, fv = p[idx], fam[idx]
    order = np.lexsort((pv, fv))
    pv, fv, idx = pv[order], fv[order], idx[order]
    starts = np.flatnonzero(np.r_[True, fv[1:] != fv[:-1]])
    sizes = np.diff(np.r_[starts, pv.size])
    seg = np.repeat(np.arange(starts.size), sizes)
    rank = np.arange(pv.size) - starts[seg]  # 0-based rank within the family
    scaled = np.minimum(1.0, (sizes[seg] - rank) * pv)
    # running maximum within each family, on a (family × rank) array padded with −inf
    grid = np.full((starts.size, int(sizes.max())), -np.inf)
    grid[seg, rank] = scaled
    out[idx] = np.maximum.accumulate(grid, axis=1)[seg, rank]
    return out
