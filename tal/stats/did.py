"""Comparison group: difference in differences on a unit × period panel.

OLS ``y ~ treated + post + treated:post`` on the long-format panel, with a
cluster-robust covariance by unit (CR1: G/(G−1)·(N−1)/(N−K)) and t inference with
G − 1 degrees of freedom (``use_t=True``). The difference is the interaction
coefficient, which equals (treated post − treated pre) − (comparison post −
comparison pre) of the cell means.

Periods are ordered by their text form (ISO 8601 labels sort in time order);
``post`` is 1 from ``intervention_at`` on. The per-group, per-period means are
returned for the pre-trend chart, with the slope of each group's pre-period
means: parallel trends are the assumption.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._util import quiet
from .errors import StatsInputError
from .periods import label


def difference_in_differences(
    units: Sequence,
    periods: Sequence,
    values: Sequence[float],
    treated_units: Sequence,
    intervention_at,
    alpha: float = 0.05,
    *,
    metric: str | None = None,
    iteration=None,
    experiment: str | None = None,
) -> dict:
    """Fit the DiD regression; plain floats out (NaN where not estimable).

    Keys: estimate, low, high, p_value, se, df, clusters, treated_change,
    comparison_change, group_means {periods, treated, comparison}, pre_trends
    {treated_slope, comparison_slope}.
    """
    where = dict(metric=metric, iteration=iteration, experiment=experiment)
    if not (len(units) == len(periods) == len(values)):
        raise StatsInputError(
            f"units, periods et values doivent avoir la même longueur "
            f"(ici {len(units)}, {len(periods)} et {len(values)})",
            **where,
        )
    y = np.asarray(values, dtype=float).ravel()
    if y.size == 0 or not np.all(np.isfinite(y)):
        raise StatsInputError("le panel est vide ou contient des valeurs non finies", **where)
    unit_labels = [label(u) for u in units]
    period_labels = [label(p) for p in periods]
    treated_set = {label(u) for u in treated_units}
    present = set(unit_labels)
    missing = sorted(treated_set - present)
    if missing:
        raise StatsInputError(f"unités traitées absentes du panel : {', '.join(missing)}", **where)
    treated = np.array([u in treated_set for u in unit_labels])
    if not treated.any():
        raise StatsInputError("le panel ne contient aucune unité traitée", **where)
    if treated.all():
        raise StatsInputError("le panel ne contient aucune unité de comparaison", **where)
    target = label(intervention_at)
    key = _period_key([*period_labels, target])
    order = sorted(set(period_labels), key=key)
    post = np.array([key(p) >= key(target) for p in period_labels])
    if not post.any() or post.all() or not (key(order[0]) < key(target) <= key(order[-1])):
        raise StatsInputError("l'intervention est en dehors des périodes du panel", **where)

    codes = {u: i for i, u in enumerate(dict.fromkeys(unit_labels))}
    groups = np.array([codes[u] for u in unit_labels])
    tr = treated.astype(float)
    po = post.astype(float)
    x = np.column_stack([np.ones_like(y), tr, po, tr * po])
    from scipy.special import stdtr, stdtrit
    from statsmodels.regression.linear_model import OLS

    n_clusters = len(codes)
    df = float(n_clusters - 1)
    # With one unit on a side the saturated model fits each unit's cells exactly: the
    # cluster-robust variance is zero by construction, not evidence. With as many rows
    # as coefficients, CR1's small-sample factor divides by zero. Both: no inference.
    one_unit_side = len({u for u, t in zip(unit_labels, treated) if t}) < 2 or len(
        {u for u, t in zip(unit_labels, treated) if not t}) < 2
    with quiet():
        if y.size <= x.shape[1] or one_unit_side:
            fit, se = OLS(y, x).fit(), 0.0
        else:
            fit = OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
            se = float(np.sqrt(max(float(fit.cov_params()[3, 3]), 0.0)))
    est = float(fit.params[3])
    if se <= 1e-10 * max(1.0, float(np.abs(y).max())):
        se = 0.0
    if se > 0 and np.isfinite(se) and df > 0:
        half = float(stdtrit(df, 1.0 - alpha / 2.0)) * se
        low, high, p = est - half, est + half, float(2.0 * stdtr(df, -abs(est / se)))
    else:
        low = high = p = se = math.nan

    def cell(mask) -> float:
        return float(y[mask].mean())

    t_change = cell(treated & post) - cell(treated & ~post)
    c_change = cell(~treated & post) - cell(~treated & ~post)
    means_t, means_c = [], []
    for per in order:
        at = np.array([p == per for p in period_labels])
        means_t.append(float(y[at & treated].mean()) if (at & treated).any() else None)
        means_c.append(float(y[at & ~treated].mean()) if (at & ~treated).any() else None)
    pre = [i for i, per in enumerate(order) if key(per) < key(target)]
    return {
        "estimate": est,
        "low": low,
        "high": high,
        "p_value": p,
        "se": se,
        "df": df,
        "clusters": n_clusters,
        "treated_change": t_change,
        "comparison_change": c_change,
        "group_means": {"periods": order, "treated": means_t, "comparison": means_c},
        "pre_trends": {
            "treated_slope": _slope(pre, means_t),
            "comparison_slope": _slope(pre, means_c),
        },
    }


def _period_key(labels: list[str]):
    """Numbers compare as numbers (2 < 10), other labels as text (ISO dates sort right)."""
    try:
        [float(x) for x in labels]
    except ValueError:
        return lambda x: (0.0, x)
    return lambda x: (float(x), "")


def _slope(index: list[int], means: list) -> float | None:
    """Least-squares slope of a group's pre-period means per period, None if < 2 points."""
    pts = [(i, means[i]) for i in index if means[i] is not None]
    if len(pts) < 2:
        return None
    t, m = np.array(pts, dtype=float).T
    t = t - t.mean()
    return float((t * (m - m.mean())).sum() / (t * t).sum())
