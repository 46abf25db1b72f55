"""Verdict intervals: each one inverted from the test whose p-value decides the verdict.

An interval printed next to a verdict must never disagree with it (STATS.md,
Verdict): it is the set of effects that the same test would not reject, at the level
the multiplicity adjustment gives this comparison (``level_for``). So a difference
interval excludes zero exactly when the (adjusted) p-value is below alpha.

- pooled z-test (binary): the Farrington–Manning score interval for p_B − p_A, the
  inversion of the score test whose statistic at a difference of 0 is the pooled z;
- Fisher's exact test (binary): the odds ratio interval inverted from the
  conditional test with the same two-sided rule as ``fisher_exact`` (probabilities
  no larger than the observed one), ``minlike_interval``;
- score test (rate): the Wilson interval of the conditional binomial, mapped to the
  ratio (``rate.ratio_interval``); exact conditional test (rate): the minlike
  binomial inversion, mapped to the ratio;
- Welch and Brunner–Munzel: the t interval at that level (Brunner–Munzel clipped to
  [0, 1], which changes no decision since 0.5 is inside).
"""

from __future__ import annotations

import math

import numpy as np

from ._util import floats, quiet


def level_for(p_raw, p_final, alpha) -> np.ndarray:
    """The alpha at which each comparison's own test was effectively read.

    With ``p_final`` the adjusted p-value and ``p_raw`` the test's own, the verdict is
    p_final < alpha; ``alpha · p_raw / p_final`` is the level at which the raw test
    gives the same answer (alpha / (m − j + 1) for Holm's j-th step). When the
    verdict is not significant, the Bonferroni level ``alpha / m`` is used, capped at
    p_raw so that the interval keeps no effect inside.
    """
    p_raw, p_final, alpha = floats(p_raw, p_final, alpha)
    with quiet():
        factor = np.where(p_final > 0, p_raw / p_final, 1.0)
        factor = np.where(np.isfinite(factor), np.clip(factor, 0.0, 1.0), 1.0)
    return np.where(p_final < alpha, alpha * factor, np.minimum(alpha * factor, np.where(p_raw > 0, p_raw, alpha)))


def bonferroni_floor(p_raw, p_final, alpha, m) -> np.ndarray:
    """``level_for``, with non-significant comparisons at alpha / m (or p_raw if smaller)."""
    p_raw, p_final, alpha, m = floats(p_raw, p_final, alpha, m)
    level = level_for(p_raw, p_final, alpha)
    not_sig = ~(p_final < alpha)
    level = np.where(p_final == 0, alpha / m, level)  # p underflowed: Bonferroni's level
    return np.where(not_sig & np.isfinite(p_raw), np.minimum(alpha / m, np.where(p_raw > 0, p_raw, alpha)), level)


# ------------------------------------------------------------------ binary, score


def _fm_restricted(p1, n1, p2, n2, delta):
    """Restricted MLEs (p̃1, p̃2) under p1 − p2 = delta (Farrington & Manning 1990)."""
    theta = n2 / n1
    a = 1.0 + theta
    b = -(1.0 + theta + p1 + theta * p2 + delta * (theta + 2.0))
    c = delta**2 + delta * (2.0 * p1 + theta + 1.0) + p1 + theta * p2
    d = -p1 * delta * (1.0 + delta)
    v = b**3 / (27.0 * a**3) - b * c / (6.0 * a**2) + d / (2.0 * a)
    u = np.sign(v) * np.sqrt(np.maximum(b**2 / (9.0 * a**2) - c / (3.0 * a), 0.0))
    u = np.where(u == 0, 1e-300, u)
    w = (math.pi + np.arccos(np.clip(v / u**3, -1.0, 1.0))) / 3.0
    r1 = np.clip(2.0 * u * np.cos(w) - b / (3.0 * a), 0.0, 1.0)
    r2 = np.clip(r1 - delta, 0.0, 1.0)
    return r1, r2


def score_z(x_a, n_a, x_b, n_b, delta) -> np.ndarray:
    """Score statistic of p_B − p_A = delta (equals the pooled z at delta = 0)."""
    p_b, p_a = x_b / n_b, x_a / n_a
    r_b, r_a = _fm_restricted(p_b, n_b, p_a, n_a, delta)
    with quiet():
        var = r_b * (1.0 - r_b) / n_b + r_a * (1.0 - r_a) / n_a
        return (p_b - p_a - delta) / np.sqrt(var)


def score_diff_interval(x_a, n_a, x_b, n_b, alpha) -> tuple[np.ndarray, np.ndarray]:
    """Farrington–Manning interval for p_B − p_A at level 1 − alpha, by bisection."""
    from scipy.special import ndtri

    x_a, n_a, x_b, n_b, alpha = floats(x_a, n_a, x_b, n_b, alpha)
    crit = ndtri(1.0 - alpha / 2.0)
    diff = x_b / n_b - x_a / n_a
    bounds = []
    for target, lo, hi in ((crit, np.full_like(diff, -1.0), diff), (-crit, diff, np.ones_like(diff))):
        lo, hi = lo.copy(), hi.copy()
        for _ in range(60):  # z decreases with delta
            mid = (lo + hi) / 2.0
            above = score_z(x_a, n_a, x_b, n_b, mid) > target
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        bounds.append((lo + hi) / 2.0)
    return bounds[0], bounds[1]


# ------------------------------------------------------------------ exact, minlike


def _minlike_p(log_weights: np.ndarray, observed: int, eta: float) -> float:
    """Two-sided p-value: total probability of outcomes no likelier than the observed."""
    logp = log_weights + eta * np.arange(log_weights.size)
    logp = logp - logp.max()
    prob = np.exp(logp)
    prob /= prob.sum()
    return float(prob[prob <= prob[observed] * (1.0 + 1e-7)].sum())


def minlike_interval(log_weights, observed: int, eta0: float, p0: float, alpha: float) -> tuple[float, float]:
    """Interval for the natural parameter η of the family P(k) ∝ exp(log_weights[k] + η·k).

    The set of η where the minlike two-sided p-value is at least alpha, taken as the
    connected stretch around the estimate, with the null value η0 (reported p-value
    ``p0``) inside exactly when p0 ≥ alpha. Bounds may be ±inf.
    """
    w = np.asarray(log_weights, dtype=float)
    last = w.size - 1

    def p(eta):
        return _minlike_p(w, observed, eta)

    def accept(eta):
        return p0 >= alpha if eta == eta0 else p(eta) >= alpha

    def crossing(inside, outside):
        for _ in range(60):
            mid = (inside + outside) / 2.0
            inside, outside = (mid, outside) if accept(mid) else (inside, mid)
        return (inside + outside) / 2.0

    def walk(start, step):
        """From an accepted start, the first rejected point going by ``step`` (None: never)."""
        for k in range(12):
            eta = start + step * 2.0**k
            if not accept(eta):
                return eta
        return None

    inner = eta0
    if not accept(eta0):  # find an accepted point: the estimate's side of η0
        inner = next((eta0 + s * 0.25 * 2.0**k for k in range(14) for s in (1.0, -1.0)
                      if accept(eta0 + s * 0.25 * 2.0**k)), None)
        if inner is None:
            return math.nan, math.nan
    side_of_estimate = np.sign(inner - eta0)

    def bound(side):  # side −1: lower, +1: upper
        if (side < 0 and observed == 0) or (side > 0 and observed == last):
            return side * math.inf  # the estimate itself is at infinity on that side
        if side_of_estimate == -side:  # η0 rejected, on this side of the estimate
            return crossing(inner, eta0)
        out = walk(inner, side)
        return side * math.inf if out is None else crossing(inner, out)

    return bound(-1.0), bound(1.0)


def _log_choose(n, k):
    from scipy.special import gammaln

    return gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)


def fisher_or_interval(x_a, n_a, x_b, n_b, p_value, alpha) -> tuple[float, float]:
    """Odds ratio (B against A) interval inverted from Fisher's conditional test."""
    total = x_a + x_b
    low_k, high_k = max(0, int(total - n_a)), int(min(total, n_b))
    k = np.arange(low_k, high_k + 1, dtype=float)
    weights = _log_choose(n_b, k) + _log_choose(n_a, total - k)
    # shift the support to start at 0 so that η multiplies k − low_k (same family)
    lo, hi = minlike_interval(weights, int(x_b) - low_k, 0.0, p_value, alpha)
    return math.exp(lo) if lo > -math.inf else 0.0, math.exp(hi) if hi < math.inf else math.inf


def exact_rate_interval(e_a, t_a, e_b, t_b, p_value, alpha) -> tuple[float, float]:
    """Rate ratio interval inverted from the exact conditional (binomial, minlike) test."""
    total = int(e_a + e_b)
    if total == 0:
        return 0.0, math.inf
    k = np.arange(total + 1, dtype=float)
    shift = math.log(t_b / t_a)  # logit π = log R + log(t_B / t_A)
    lo, hi = minlike_interval(_log_choose(total, k), int(e_b), shift, p_value, alpha)
    return (math.exp(lo - shift) if lo > -math.inf else 0.0), (math.exp(hi - shift) if hi < math.inf else math.inf)


def welch_interval(diff, se, df, alpha) -> tuple[np.ndarray, np.ndarray]:
    """diff ± t_{1−α/2, df}·se."""
    from scipy.special import stdtrit

    diff, se, df, alpha = floats(diff, se, df, alpha)
    with quiet():
        half = stdtrit(df, 1.0 - alpha / 2.0) * se
    return diff - half, diff + half
