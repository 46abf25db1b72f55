"""Binary metrics (a proportion per arm), vectorised over comparisons.

A is the control, B the arm; every argument is an array with one element per
comparison (a scalar is a portfolio of one).

- estimates: p_A = x_A / n_A, p_B, difference p_B − p_A, risk ratio p_B / p_A;
- difference interval: Newcombe's hybrid score interval
  (``confint_proportions_2indep(method='newcomb')``, vectorised in statsmodels);
- ratio interval: ``method='log-adjusted'`` (defined with zero counts);
- p-value: pooled two-proportion z-test without continuity correction (closed
  form, identical to ``proportions_ztest``), or Fisher's exact test, two-sided,
  for the comparisons whose smallest expected cell count is below 5 (a loop over
  those rare comparisons only);
- ``prob_better``: see :mod:`tal.stats.posterior`, computed by the caller when wanted.
"""

from __future__ import annotations

import numpy as np

from ._util import floats, is_int, quiet
from .errors import check

FISHER_MIN_EXPECTED = 5.0


def compare_binary(x_a, n_a, x_b, n_b, alpha=0.05, where=None) -> dict[str, np.ndarray]:
    """Compare proportions arm by arm; return a dict of arrays.

    Keys: control_value, arm_value, difference, difference_low, difference_high,
    ratio, ratio_low, ratio_high, statistic (z, NaN under Fisher), p_value,
    fisher (bool: Fisher's exact test was used).
    """
    x_a, n_a, x_b, n_b, alpha = floats(x_a, n_a, x_b, n_b, alpha)
    validate_binary(x_a, n_a, x_b, n_b, where)
    from statsmodels.stats.proportion import confint_proportions_2indep

    p_a = x_a / n_a
    p_b = x_b / n_b
    with quiet():
        ratio = p_b / p_a
    z, p_value = pooled_z(x_a, n_a, x_b, n_b)

    # statsmodels convention: the first sample is the arm, so signs match B − A.
    # One call per distinct alpha (usually one): a scalar alpha spares statsmodels
    # a normal quantile per comparison.
    d_low, d_high, r_low, r_high = (np.empty_like(p_a) for _ in range(4))
    levels = np.unique(alpha).tolist()
    for level in levels:
        sel = slice(None) if len(levels) == 1 else alpha == level
        args = (x_b[sel], n_b[sel], x_a[sel], n_a[sel])
        with quiet():
            d_low[sel], d_high[sel] = confint_proportions_2indep(*args, method="newcomb", compare="diff", alpha=level)
            r_low[sel], r_high[sel] = confint_proportions_2indep(
                *args, method="log-adjusted", compare="ratio", alpha=level
            )
    # all successes in both arms: the log-adjusted variance is 0, the interval a point
    degenerate = (x_a == n_a) & (x_b == n_b)
    r_low = np.where(degenerate, np.nan, r_low)
    r_high = np.where(degenerate, np.nan, r_high)

    fisher = min_expected_cell(x_a, n_a, x_b, n_b) < FISHER_MIN_EXPECTED
    if fisher.any():
        from scipy.stats import fisher_exact

        for i in np.flatnonzero(fisher):
            table = [[x_b[i], n_b[i] - x_b[i]], [x_a[i], n_a[i] - x_a[i]]]
            p_value[i] = fisher_exact(np.asarray(table, dtype=np.int64)).pvalue
        z = np.where(fisher, np.nan, z)
    return {
        "control_value": p_a,
        "arm_value": p_b,
        "difference": p_b - p_a,
        "difference_low": d_low,
        "difference_high": d_high,
        "ratio": ratio,
        "ratio_low": r_low,
        "ratio_high": r_high,
        "statistic": z,
        "p_value": p_value,
        "fisher": fisher,
    }


def pooled_z(x_a, n_a, x_b, n_b) -> tuple[np.ndarray, np.ndarray]:
    """Pooled two-proportion z-test without correction: (z, two-sided p); NaN if p̂ is 0 or 1."""
    from scipy.special import ndtr

    x_a, n_a, x_b, n_b = floats(x_a, n_a, x_b, n_b)
    with quiet():
        pooled = (x_a + x_b) / (n_a + n_b)
        z = (x_b / n_b - x_a / n_a) / np.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    return z, 2.0 * ndtr(-np.abs(z))


def min_expected_cell(x_a, n_a, x_b, n_b) -> np.ndarray:
    """Smallest expected count of the 2×2 table (arms × success/failure) under H0."""
    successes = x_a + x_b
    failures = (n_a + n_b) - successes
    return np.minimum(n_a, n_b) * np.minimum(successes, failures) / (n_a + n_b)


def validate_binary(x_a, n_a, x_b, n_b, where=None) -> None:
    """Raise StatsInputError on impossible counts, naming the faulty arm."""
    for x, n, side in ((x_a, n_a, "control"), (x_b, n_b, "arm")):
        check(~is_int(n), lambda i, n=n: f"l'effectif n ({n[i]:g}) doit être un nombre entier", where, side)
        check(n <= 0, lambda i, n=n: f"l'effectif n ({n[i]:g}) doit être strictement positif", where, side)
        check(~is_int(x), lambda i, x=x: f"le nombre de succès ({x[i]:g}) doit être un nombre entier", where, side)
        check(x < 0, lambda i, x=x: f"le nombre de succès ({x[i]:g}) ne peut pas être négatif", where, side)
        check(
            x > n,
            lambda i, x=x, n=n: f"le nombre de succès ({x[i]:g}) dépasse l'effectif n ({n[i]:g})",
            where,
            side,
        )
