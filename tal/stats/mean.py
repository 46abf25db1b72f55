"""Mean metrics from (n, mean, sd) per arm: Welch's t, vectorised over comparisons.

statsmodels has no vectorised Welch test from summary statistics, so the closed
form is written here (checked against scipy's ``ttest_ind_from_stats`` and
statsmodels in the tests):

    se = sqrt(sd_A²/n_A + sd_B²/n_B),
    df = se⁴ / ((sd_A²/n_A)²/(n_A−1) + (sd_B²/n_B)²/(n_B−1))   (Welch–Satterthwaite),
    t = (m_B − m_A) / se, p = 2·t_sf(|t|, df), interval: d ± t_{1−α/2, df}·se.

Not estimable (NaN, turned into None with a French reason by the caller): an arm
with a single unit (no variance estimate) or zero variance in both arms.
"""

from __future__ import annotations

import numpy as np

from ._util import floats, is_int, quiet
from .errors import check


def compare_mean(
    n_a, mean_a, sd_a, n_b, mean_b, sd_b, alpha=0.05, where=None
) -> dict[str, np.ndarray]:
    """Welch comparison arm by arm; dict of arrays (see binary.compare_binary)."""
    n_a, mean_a, sd_a, n_b, mean_b, sd_b, alpha = floats(n_a, mean_a, sd_a, n_b, mean_b, sd_b, alpha)
    validate_mean(n_a, mean_a, sd_a, n_b, mean_b, sd_b, where)
    from scipy.special import stdtr, stdtrit

    diff = mean_b - mean_a
    va = sd_a**2 / n_a
    vb = sd_b**2 / n_b
    with quiet():
        se = np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (n_a - 1.0) + vb**2 / (n_b - 1.0))
        df = np.where((n_a < 2) | (n_b < 2) | (se == 0), np.nan, df)
        t = diff / se
        p_value = 2.0 * stdtr(df, -np.abs(t))
        half = stdtrit(df, 1.0 - alpha / 2.0) * se
        ratio = mean_b / mean_a
    ratio = np.where(mean_a == 0, np.nan, ratio)
    return {
        "control_value": mean_a,
        "arm_value": mean_b,
        "difference": diff,
        "difference_low": diff - half,
        "difference_high": diff + half,
        "ratio": ratio,
        "ratio_low": np.full_like(diff, np.nan),
        "ratio_high": np.full_like(diff, np.nan),
        "statistic": t,
        "p_value": p_value,
        "df": df,
        "se": se,
    }


def validate_mean(n_a, mean_a, sd_a, n_b, mean_b, sd_b, where=None) -> None:
    for n, mean, sd, side in ((n_a, mean_a, sd_a, "control"), (n_b, mean_b, sd_b, "arm")):
        check(~is_int(n), lambda i, n=n: f"l'effectif n ({n[i]:g}) doit être un nombre entier", where, side)
        check(n <= 0, lambda i, n=n: f"l'effectif n ({n[i]:g}) doit être strictement positif", where, side)
        check(~np.isfinite(mean), "la moyenne doit être un nombre fini", where, side)
        check(~np.isfinite(sd), "l'écart-type doit être un nombre fini", where, side)
        check(sd < 0, lambda i, sd=sd: f"l'écart-type ({sd[i]:g}) ne peut pas être négatif", where, side)
