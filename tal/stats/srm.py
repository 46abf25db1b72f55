"""Sample ratio mismatch: chi-square goodness of fit of the arms' n to the plan.

Vectorised over iterations: ``observed`` and ``shares`` are lists (one per
iteration) of per-arm counts and planned shares, possibly of different lengths.
A mismatch is p < 0.001: the results of the iteration cannot be trusted until it
is explained.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._util import quiet

SRM_ALPHA = 0.001


def srm_check(observed: Sequence[Sequence[float]], shares: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """(chi2, p_value) per iteration; shares are normalised to sum to 1."""
    from scipy.special import chdtrc

    m = len(observed)
    sizes = np.array([len(o) for o in observed], dtype=np.int64)
    if m == 0:
        return np.empty(0), np.empty(0)
    obs = np.array([x for o in observed for x in o], dtype=float)
    share = np.array([x for s in shares for x in s], dtype=float)
    seg = np.repeat(np.arange(m), sizes)
    starts = np.cumsum(sizes) - sizes
    share /= np.add.reduceat(share, starts)[seg]
    expected = np.add.reduceat(obs, starts)[seg] * share
    with quiet():  # an iteration with no units has no defined check (NaN), said by the engine
        chi2 = np.add.reduceat((obs - expected) ** 2 / expected, starts)
        p = chdtrc(sizes - 1.0, chi2)
    return chi2, p


def is_mismatch(p_value: np.ndarray) -> np.ndarray:
    return np.asarray(p_value) < SRM_ALPHA
