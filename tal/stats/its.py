"""Before / after: segmented regression of an interrupted time series.

OLS ``y ~ time + post + time_since`` with ``time`` = 0, 1, …, T − 1, ``post`` = 1
from the first period with the change (index t0) and ``time_since`` = time − t0
after it (0 before). Newey–West (HAC) covariance, Bartlett kernel, with
``maxlags`` = the series' ``hac_maxlags`` or max(1, ⌊4·(T/100)^(2/9)⌋), and t-based
inference with T − 4 degrees of freedom (``use_t=True``).

Reported: the level change (``post``), the slope change (``time_since``) and the
effect at the last period, level + slope × (T − 1 − t0), each with its interval
and p-value; the fitted series and the counterfactual (the pre-period line
extended) for the chart. A before/after design cannot separate the change from
anything else that happened at the same time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._util import quiet
from .errors import StatsInputError

MIN_POINTS_PER_SIDE = 3


def default_maxlags(n_periods: int) -> int:
    """Newey–West's rule of thumb: max(1, ⌊4·(T/100)^(2/9)⌋)."""
    return max(1, math.floor(4.0 * (n_periods / 100.0) ** (2.0 / 9.0)))


def interrupted_time_series(
    values: Sequence[float],
    intervention_index: int,
    hac_maxlags: int | None = None,
    alpha: float = 0.05,
    *,
    metric: str | None = None,
    iteration=None,
    experiment: str | None = None,
) -> dict:
    """Fit the segmented regression; return plain floats (NaN where not estimable).

    Keys: level_change, slope_change, effect (each a dict estimate, low, high,
    p_value, se), fitted, counterfactual, maxlags, df, flat (bool: no residual
    variance, so no interval nor p-value).
    """
    where = dict(metric=metric, iteration=iteration, experiment=experiment)
    y = np.asarray(values, dtype=float).ravel()
    n = y.size
    t0 = int(intervention_index)
    if not np.all(np.isfinite(y)):
        raise StatsInputError("la série contient des valeurs manquantes ou non finies", **where)
    if not 0 < t0 < n:
        raise StatsInputError("l'intervention est en dehors de la série", **where)
    if t0 < MIN_POINTS_PER_SIDE or n - t0 < MIN_POINTS_PER_SIDE:
        raise StatsInputError(
            f"il faut au moins {MIN_POINTS_PER_SIDE} périodes avant et {MIN_POINTS_PER_SIDE} "
            f"périodes après l'intervention (ici {t0} avant, {n - t0} après)",
            **where,
        )
    if hac_maxlags is None:
        maxlags = default_maxlags(n)
    else:
        if int(hac_maxlags) != hac_maxlags or hac_maxlags < 0:
            raise StatsInputError(f"hac_maxlags ({hac_maxlags}) doit être un entier positif ou nul", **where)
        maxlags = int(hac_maxlags)

    time = np.arange(n, dtype=float)
    post = (time >= t0).astype(float)
    since = np.where(post > 0, time - t0, 0.0)
    x = np.column_stack([np.ones(n), time, post, since])
    from scipy.special import stdtr, stdtrit
    from statsmodels.regression.linear_model import OLS

    with quiet():
        fit = OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags}, use_t=True)
    params = np.asarray(fit.params)
    cov = np.asarray(fit.cov_params())
    df = float(fit.df_resid)
    scale = max(1.0, float(np.max(np.abs(y))))
    flat = float(fit.ssr) <= (1e-12 * scale) ** 2 * n
    crit = float(stdtrit(df, 1.0 - alpha / 2.0))

    def contrast(c: np.ndarray) -> dict:
        est = float(c @ params)
        se = math.sqrt(max(float(c @ cov @ c), 0.0))
        if flat or se == 0.0:
            return {"estimate": est, "low": math.nan, "high": math.nan, "p_value": math.nan, "se": math.nan}
        t = est / se
        return {
            "estimate": est,
            "low": est - crit * se,
            "high": est + crit * se,
            "p_value": float(2.0 * stdtr(df, -abs(t))),
            "se": se,
        }

    horizon = n - 1 - t0
    fitted = x @ params
    counterfactual = params[0] + params[1] * time
    return {
        "level_change": contrast(np.array([0.0, 0.0, 1.0, 0.0])),
        "slope_change": contrast(np.array([0.0, 0.0, 0.0, 1.0])),
        "effect": contrast(np.array([0.0, 0.0, 1.0, float(horizon)])),
        "fitted": fitted.tolist(),
        "counterfactual": counterfactual.tolist(),
        "maxlags": maxlags,
        "df": df,
        "flat": bool(flat),
    }
