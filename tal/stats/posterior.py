"""Exact posterior probability that arm B's proportion beats control A's.

Under independent uniform Beta(1, 1) priors the posteriors are
p_A ~ Beta(x_A + 1, n_A − x_A + 1) and p_B ~ Beta(x_B + 1, n_B − x_B + 1).
p_A is the (x_A + 1)-th smallest of n_A + 1 independent uniforms and p_B the
(x_B + 1)-th smallest of n_B + 1 others; in the merged random order p_B > p_A
exactly when at least x_A + 1 of the first x_A + x_B + 1 draws come from A. So

    P(p_B > p_A) = P(H ≥ x_A + 1),  H ~ Hypergeometric(N = n_A + n_B + 2,
                                                       K = n_A + 1,
                                                       M = x_A + x_B + 1),

which is Evan Miller's closed-form sum rearranged. It is summed here exactly,
vectorised over all comparisons at once, over a window of ±9 standard deviations
around the mean of H (the terms outside are below 1e-17 of the largest one; a
comparison whose window edge is not negligible falls back to scipy's
hypergeometric tail). Both tails are summed separately so that probabilities close
to 0 or 1 keep their precision.
"""

from __future__ import annotations

import numpy as np

from ._util import floats

_GRID_CELLS = 1 << 21  # at most about 2 million cells (16 MB) per 2-d grid


def prob_b_beats_a(x_a, n_a, x_b, n_b) -> tuple[np.ndarray, np.ndarray]:
    """(P(p_B > p_A), P(p_B < p_A)) per comparison, exact under Beta(1, 1) priors."""
    x_a, n_a, x_b, n_b = floats(x_a, n_a, x_b, n_b)
    m = x_a.size
    if m == 0:
        return np.empty(0), np.empty(0)
    big_n = n_a + n_b + 2.0
    big_k = n_a + 1.0
    big_m = x_a + x_b + 1.0
    k_min = np.maximum(0.0, big_m - (big_n - big_k))
    k_max = np.minimum(big_k, big_m)
    q = big_k / big_n
    var = big_m * q * (1.0 - q) * (big_n - big_m) / (big_n - 1.0)
    half = np.ceil(9.0 * np.sqrt(var) + 10.0)
    centre = np.floor(big_m * q)
    lo = np.maximum(k_min, centre - half)
    hi = np.minimum(k_max, centre + half)

    width = (hi - lo + 1.0).astype(np.int64)
    upper = np.empty(m)
    lower = np.empty(m)
    edge_lo = np.empty(m)
    edge_hi = np.empty(m)
    # Rows of similar width are summed together on a 2-d grid (width rounded up to
    # a power of two), so that each result depends on its own counts only.
    bucket = np.ceil(np.log2(width)).astype(np.int64)
    for b in np.unique(bucket).tolist():
        members = np.flatnonzero(bucket == b)
        chunk = max(1, _GRID_CELLS >> b)  # bounded memory whatever the portfolio
        for start in range(0, members.size, chunk):
            rows = members[start : start + chunk]
            upper[rows], lower[rows], edge_lo[rows], edge_hi[rows] = _window_sums(
                lo[rows], hi[rows], big_n[rows], big_k[rows], big_m[rows], x_a[rows] + 1.0, 2**b
            )
    # Window edges must be negligible unless they are the support's own edges.
    unsure = ((lo > k_min) & (edge_lo > 1e-16)) | ((hi < k_max) & (edge_hi > 1e-16))
    if unsure.any():  # pragma: no cover - guard, not reached for hypergeometric tails
        from scipy import stats

        i = np.flatnonzero(unsure)
        upper[i] = stats.hypergeom.sf(x_a[i], big_n[i], big_k[i], big_m[i])
        lower[i] = stats.hypergeom.cdf(x_a[i], big_n[i], big_k[i], big_m[i])
    return upper, lower


def _window_sums(lo, hi, big_n, big_k, big_m, threshold, cols):
    """Tail sums of the hypergeometric pmf over k = lo..hi, one row per comparison.

    Returns (P(H ≥ threshold), P(H < threshold), weight at lo, weight at hi), the
    weights relative to the largest one of the row.
    """
    k = lo[:, None] + np.arange(cols)[None, :]
    inside = k <= hi[:, None]
    kk, nn, mm = big_k[:, None], big_n[:, None], big_m[:, None]
    # log pmf(k + 1) / pmf(k), 0 beyond the window
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.log(((kk - k) * (mm - k)) / ((k + 1.0) * (nn - kk - mm + k + 1.0)))
    step = np.where(inside & (k < hi[:, None]), step, 0.0)
    logw = np.concatenate([np.zeros((k.shape[0], 1)), np.cumsum(step[:, :-1], axis=1)], axis=1)
    logw = np.where(inside, logw, -np.inf)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    total = w.sum(axis=1)
    above = k >= threshold[:, None]
    upper = np.where(above, w, 0.0).sum(axis=1) / total
    lower = np.where(above, 0.0, w).sum(axis=1) / total
    last = (hi - lo).astype(np.int64)
    return upper, lower, w[:, 0], w[np.arange(w.shape[0]), last]
