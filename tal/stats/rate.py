"""Rate metrics (events over exposure per arm), vectorised over comparisons.

- estimates: rates r = events / exposure, ratio r_B / r_A, difference r_B − r_A
  (the difference has no interval: STATS.md gives the interval on the ratio);
- p-value: score test (``test_poisson_2indep(method='score')``, vectorised in
  statsmodels); the exact conditional (binomial) test, looped over the rare
  comparisons where an arm's expected events under the null are below 5;
- ratio interval: the score interval. Conditionally on the total y = y_A + y_B,
  y_B ~ Binomial(y, π) with π = R·t_B / (R·t_B + t_A), and the score interval for R
  is the Wilson interval for π mapped through R = π/(1 − π) · t_A/t_B (the same
  numbers as ``confint_poisson_2indep(method='score')``, which is scalar-only and
  collapses when a count is zero). When a count is zero, the exact conditional
  (Clopper–Pearson) interval for π, mapped the same way.
An infinite bound (no events in the control arm) is NaN here, None in the output.
"""

from __future__ import annotations

import numpy as np

from ._util import floats, quiet
from .errors import check

EXACT_MIN_EXPECTED = 5.0


def compare_rate(e_a, t_a, e_b, t_b, alpha=0.05, where=None) -> dict[str, np.ndarray]:
    """Rate comparison arm by arm; dict of arrays (see binary.compare_binary)."""
    e_a, t_a, e_b, t_b, alpha = floats(e_a, t_a, e_b, t_b, alpha)
    validate_rate(e_a, t_a, e_b, t_b, where)
    from statsmodels.stats.rates import test_poisson_2indep

    r_a = e_a / t_a
    r_b = e_b / t_b
    total = e_a + e_b
    with quiet():
        ratio = np.where(e_a > 0, r_b / r_a, np.nan)
        res = test_poisson_2indep(e_b, t_b, e_a, t_a, method="score")
    z = np.array(res.statistic, dtype=float, ndmin=1)
    p_value = np.array(res.pvalue, dtype=float, ndmin=1)

    share_b = t_b / (t_a + t_b)
    exact = np.minimum(total * share_b, total * (1.0 - share_b)) < EXACT_MIN_EXPECTED
    for i in np.flatnonzero(exact):
        p_value[i] = exact_conditional_pvalue(e_a[i], t_a[i], e_b[i], t_b[i])
    z = np.where(exact, np.nan, z)
    low, high = ratio_interval(e_a, t_a, e_b, t_b, alpha, exact=(e_a == 0) | (e_b == 0))
    return {
        "control_value": r_a,
        "arm_value": r_b,
        "difference": r_b - r_a,
        "difference_low": np.full_like(r_a, np.nan),
        "difference_high": np.full_like(r_a, np.nan),
        "ratio": ratio,
        "ratio_low": low,
        "ratio_high": high,
        "statistic": z,
        "p_value": p_value,
        "exact": exact,
    }


def exact_conditional_pvalue(e_a, t_a, e_b, t_b) -> float:
    """Exact conditional (binomial) test of equal rates, two-sided; 1 with no events."""
    from statsmodels.stats.rates import test_poisson_2indep

    if e_a + e_b == 0:
        return 1.0  # a single possible outcome: no evidence either way
    with quiet():
        return float(test_poisson_2indep(int(e_b), t_b, int(e_a), t_a, method="exact-cond").pvalue)


def ratio_interval(e_a, t_a, e_b, t_b, alpha=0.05, exact=False) -> tuple[np.ndarray, np.ndarray]:
    """Score (Wilson) or, where ``exact``, exact conditional (Clopper–Pearson) ratio interval.

    NaN upper bound for an infinite one.
    """
    from statsmodels.stats.proportion import proportion_confint

    e_a, t_a, e_b, t_b, alpha, exact = floats(e_a, t_a, e_b, t_b, alpha, exact)
    exact = exact.astype(bool)
    total = e_a + e_b
    safe_total = np.where(total > 0, total, 1.0)
    w_low, w_high = proportion_confint(e_b, safe_total, alpha=alpha, method="wilson")
    c_low, c_high = proportion_confint(e_b, safe_total, alpha=alpha, method="beta")
    pi_low = np.where(exact, c_low, w_low)
    pi_high = np.where(exact, c_high, w_high)
    pi_low = np.where(total > 0, np.nan_to_num(pi_low, nan=0.0), 0.0)
    pi_high = np.where(total > 0, np.nan_to_num(pi_high, nan=1.0), 1.0)
    scale = t_a / t_b
    with quiet():
        low = pi_low / (1.0 - pi_low) * scale
        high = np.where(pi_high < 1.0, pi_high / (1.0 - pi_high) * scale, np.nan)
    return low, high


def validate_rate(e_a, t_a, e_b, t_b, where=None) -> None:
    for e, t, side in ((e_a, t_a, "control"), (e_b, t_b, "arm")):
        check(~np.isfinite(e) | (np.floor(e) != e), "le nombre d'événements doit être un entier", where, side)
        check(e < 0, lambda i, e=e: f"le nombre d'événements ({e[i]:g}) ne peut pas être négatif", where, side)
        check(~np.isfinite(t), "l'exposition doit être un nombre fini", where, side)
        check(t <= 0, lambda i, t=t: f"l'exposition ({t[i]:g}) doit être strictement positive", where, side)
