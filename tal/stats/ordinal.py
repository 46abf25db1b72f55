"""Ordinal metrics (answer counts per level, worst to best): Brunner–Munzel.

The estimate is the probability of superiority P(B > A) + ½·P(B = A) (0.5: no
difference); its interval and p-value come from Brunner–Munzel with a t
reference and Satterthwaite degrees of freedom, computed by statsmodels'
``rank_compare_2ordinal`` from the counts per level. statsmodels is scalar here,
so this loops over comparisons (ordinal metrics are few).

Not estimable (NaN here): the Brunner–Munzel variance is zero, e.g. every answer
of both arms on one level, or the arms completely separated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._util import quiet
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

    out = {k: np.full(m, np.nan) for k in ("estimate", "low", "high", "statistic", "p_value", "df")}
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
            out["low"][i], out["high"][i] = low, high
    return out


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
