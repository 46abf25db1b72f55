"""Ordinal metrics (answer counts per level, worst to best): Brunner–Munzel.

The estimate is the probability of superiority P(B > A) + ½·P(B = A) (0.5: no
difference); its interval and p-value come from Brunner–Munzel with a t
reference and Satterthwaite degrees of freedom, computed by statsmodels'
``rank_compare_2ordinal`` from the counts per level. statsmodels is scalar here,
so this loops over comparisons (ordinal metrics are few).

The interval is range-preserving: the Brunner–Munzel t interval clipped to [0, 1]
(a probability), which changes no decision since the no-effect value 0.5 stays
inside or outside alike.

The Brunner–Munzel variance is zero in two cases, each with a defined answer:

- complete separation (every answer of one arm above every answer of the other,
  estimate 0 or 1): the exact sign test on min(n_A, n_B) disjoint pairs of answers,
  p = min(1, 2 · 0.5^m), whose inversion is the Clopper–Pearson bound for m
  concordant pairs out of m: [(α/2)^(1/m), 1] (or its mirror). Conservative, and
  consistent with the p-value (the interval excludes 0.5 exactly when p < α);
- every answer of both arms on one level (estimate 0.5): nothing to compare, no
  p-value and no interval (``flat``, not estimable).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._util import floats, quiet
from .errors import check


def compare_ordinal(
    counts_a: Sequence[Sequence[float]],
    counts_b: Sequence[Sequence[float]],
    alpha=0.05,
    n_levels: Sequence[int | None] | None = None,
    where=None,
) -> dict[str, np.ndarray]:
    """Brunner–Munzel comparison per pair of count vectors; dict of arrays.

    ``n_levels`` (optional, per comparison) is the number of levels declared by
    the metric; counts of another length are an input error.
    """
    m = len(counts_a)
    check(np.array([len(counts_b) != m]), "les listes de comptages n'ont pas la même longueur", None, None)
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (m,))
    a_list = [np.asarray(c, dtype=float).ravel() for c in counts_a]
    b_list = [np.asarray(c, dtype=float).ravel() for c in counts_b]
    validate_ordinal(a_list, b_list, n_levels, where)
    from statsmodels.stats.nonparametric import rank_compare_2ordinal

    out = {k: np.full(m, np.nan) for k in ("estimate", "low", "high", "statistic", "p_value", "df", "se")}
    out["n_a"] = np.array([a.sum() for a in a_list])
    out["n_b"] = np.array([b.sum() for b in b_list])
    for i, (a, b) in enumerate(zip(a_list, b_list)):
        with quiet():
            res = rank_compare_2ordinal(b, a)  # first sample = arm: prob1 = P(B > A) + ½P(B = A)
            test = res.test_prob_superior(value=0.5)
            low, high = res.conf_int(alpha=alpha[i])
        out["estimate"][i] = res.prob1
        if np.isfinite(test.pvalue) and res.var_prob > 0:
            out["statistic"][i] = test.statistic
            out["p_value"][i] = test.pvalue
            out["df"][i] = res.df
            out["se"][i] = np.sqrt(res.var_prob)
            out["low"][i], out["high"][i] = low, high
    m_pairs = np.minimum(out["n_a"], out["n_b"])
    separated = ~np.isfinite(out["p_value"]) & ((out["estimate"] == 0.0) | (out["estimate"] == 1.0))
    flat = ~np.isfinite(out["p_value"]) & ~separated
    out["p_value"] = np.where(separated, np.minimum(1.0, 2.0 * 0.5**m_pairs), out["p_value"])
    out["low"], out["high"] = ordinal_interval(out["estimate"], out["se"], out["df"], m_pairs, alpha)
    out["separated"], out["flat"] = separated, flat
    return out


def ordinal_interval(estimate, se, df, m_pairs, alpha) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the probability of superiority at level 1 − alpha, within [0, 1]:
    Brunner–Munzel t interval clipped, or, under complete separation, the exact
    bound for m concordant pairs of m (see the module's docstring)."""
    from scipy.special import stdtrit

    estimate, se, df, m_pairs, alpha = floats(estimate, se, df, m_pairs, alpha)
    with quiet():
        half = stdtrit(df, 1.0 - alpha / 2.0) * se
        bound = (alpha / 2.0) ** (1.0 / m_pairs)
    low = np.clip(estimate - half, 0.0, 1.0)
    high = np.clip(estimate + half, 0.0, 1.0)
    low = np.where(estimate == 1.0, bound, np.where(estimate == 0.0, 0.0, low))
    high = np.where(estimate == 1.0, 1.0, np.where(estimate == 0.0, 1.0 - bound, high))
    regular = (se > 0) & np.isfinite(se)
    separated = (estimate == 0.0) | (estimate == 1.0)
    return np.where(regular | separated, low, np.nan), np.where(regular | separated, high, np.nan)


def validate_ordinal(a_list, b_list, n_levels, where=None) -> None:
    m = len(a_list)
    for counts, side in ((a_list, "control"), (b_list, "arm")):
        size = np.array([c.size for c in counts])
        if n_levels is not None:
            expected = np.array([s if k is None else k for s, k in zip(size, n_levels)])
            check(
                size != expected,
                lambda i: f"{size[i]} comptages pour {expected[i]} niveaux : il faut un comptage par niveau",
                where,
                side,
            )
        check(size < 2, "il faut au moins deux niveaux", where, side)
        bad = np.array([not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(np.floor(c) != c) for c in counts], dtype=bool).reshape(m)
        check(bad, "les comptages doivent être des entiers positifs ou nuls", where, side)
        total = np.array([c.sum() for c in counts]).reshape(m)
        check(total <= 0, "aucune réponse : l'effectif doit être strictement positif", where, side)
