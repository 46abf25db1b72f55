"""Comparison group (difference in differences): the engine's randomization
inference over the assignment of units, on simulated panels of 6 to 30 units with
2 to 10 treated, 4 periods before and 4 after, unit and period effects and AR(1)
noise within each unit (φ = 0.5).

- false effect rate: no effect; share of p < 0.05, a ``too_short`` answer (too few
  units for any p-value to reach 0.05) counting as no effect;
- coverage: an effect of 1 (noise sd 1) on the treated units after the change; share
  of 95 % intervals containing it, among the panels the design can conclude on;
- too_short share: how often the engine says the units are too few to conclude.
"""

from __future__ import annotations

from math import comb

import numpy as np

from tal.stats.did import assignments, conclusive, randomization_test

from . import ALPHA, COVERAGE_TARGET, FPR_TARGET, row, slack

FULL = {"runs": 1000, "shapes": ((6, 2), (6, 3), (8, 2), (8, 3), (12, 2), (12, 5), (20, 2), (20, 3), (20, 5),
                                 (20, 10), (30, 2), (30, 5), (30, 10))}
REDUCED = {"runs": 400, "shapes": ((6, 2), (8, 3), (20, 2), (30, 10))}
PERIODS, PRE, PHI, EFFECT = 8, 4, 0.5, 1.0


def _changes(rng, runs: int, units: int, treated: np.ndarray, effect: float) -> np.ndarray:
    """Each unit's post − pre mean change, for ``runs`` simulated panels."""
    e = rng.normal(size=(runs, units, PERIODS))
    u = np.empty_like(e)
    u[..., 0] = e[..., 0] / np.sqrt(1.0 - PHI**2)
    for t in range(1, PERIODS):
        u[..., t] = PHI * u[..., t - 1] + e[..., t]
    y = u + rng.normal(0, 3, size=(runs, units, 1)) + rng.normal(0, 2, size=(runs, 1, PERIODS))
    y[:, treated, PRE:] += effect
    return y[..., PRE:].mean(axis=2) - y[..., :PRE].mean(axis=2)


def rows(reduced: bool, seed: int) -> list[dict]:
    conf = REDUCED if reduced else FULL
    runs = conf["runs"]
    fpr_slack, coverage_slack = slack(FPR_TARGET, runs, reduced), slack(COVERAGE_TARGET, runs, reduced)
    out = []
    for units, k in conf["shapes"]:
        rng = np.random.default_rng([seed, units, k])
        treated = np.zeros(units, dtype=bool)
        treated[:k] = True
        total = comb(units, k)
        setting = f"{k} treated of {units} units, {total:,} assignments, {runs} runs"
        if not conclusive(units - k, k, ALPHA):
            out.append(row("comparison_group", setting, "too_short share", 1.0, 1.0, False))
            continue
        draws = assignments(units, k)
        null = _changes(rng, runs, units, treated, 0.0)
        p = np.array([randomization_test(d, treated, draws)[0] for d in null])
        out.append(row("comparison_group", setting, "false effect rate", (p < ALPHA).mean(), FPR_TARGET, True,
                       fpr_slack))
        alt = _changes(rng, runs, units, treated, EFFECT)
        # The interval holds the effects the test does not reject: it covers the truth
        # exactly when the test of the true effect gives p > alpha.
        p_true = np.array([randomization_test(d, treated, draws, EFFECT)[0] for d in alt])
        out.append(row("comparison_group", setting, "95 % interval coverage", (p_true > ALPHA).mean(),
                       COVERAGE_TARGET, False, coverage_slack))
    return out
