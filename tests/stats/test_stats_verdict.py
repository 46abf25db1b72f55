"""The verdict table of STATS.md, rule by rule."""

from __future__ import annotations

import numpy as np
import pytest

import tal.stats as ts


@pytest.mark.parametrize(
    ("p", "effect", "low", "high", "sign", "margin", "null", "guard", "expected"),
    [
        (0.01, 0.05, 0.02, 0.08, 1, 0.03, 0, 0, "confirmed"),
        (0.01, -0.05, -0.08, -0.02, -1, 0.03, 0, 0, "confirmed"),
        (0.01, -0.05, -0.08, -0.02, 1, 0.03, 0, 0, "contradicted"),
        (0.40, 0.00, -0.02, 0.02, 1, 0.03, 0, 0, "no_useful_effect"),
        (0.40, 0.00, -0.02, 0.02, -1, 0.03, 0, 0, "no_useful_effect"),
        (0.40, 0.00, -0.02, 0.04, 1, 0.03, 0, 0, "inconclusive"),
        (0.40, 0.00, -0.02, 0.03, 1, 0.03, 0, 0, "inconclusive"),  # mde itself not excluded
        (0.40, 0.00, -0.02, 0.02, 1, np.nan, 0, 0, "inconclusive"),  # no mde
        (np.nan, 0.00, np.nan, np.nan, 1, 0.03, 0, 0, "inconclusive"),  # not estimable
        # rate: ratio interval against 1 + mde / control rate
        (0.30, 0.001, 0.90, 1.10, 1, 0.2, 1, 0, "no_useful_effect"),
        (0.30, 0.001, 0.90, 1.30, 1, 0.2, 1, 0, "inconclusive"),
        # ordinal: probability of superiority against 0.5 ± mde
        (0.30, 0.01, 0.47, 0.54, 1, 0.05, 0.5, 0, "no_useful_effect"),
        (0.30, 0.01, 0.47, 0.54, -1, 0.05, 0.5, 0, "no_useful_effect"),
        (0.30, 0.01, 0.44, 0.58, 1, 0.05, 0.5, 0, "inconclusive"),
        # guardrails: direction is the good one, harmful the other
        (0.01, 0.05, 0.02, 0.08, -1, 0.03, 0, 1, "guardrail_breached"),
        (0.01, -0.05, -0.08, -0.02, -1, 0.03, 0, 1, "guardrail_ok"),
        (0.40, 0.05, -0.02, 0.08, -1, 0.03, 0, 1, "guardrail_ok"),
    ],
)
def test_verdict_rules(p, effect, low, high, sign, margin, null, guard, expected):
    got = ts.verdicts([p], [effect], [low], [high], [0.05], [sign], [margin], [null], [guard])
    assert got.tolist() == [expected]


def test_verdict_uses_the_plan_alpha():
    got = ts.verdicts([0.03, 0.03], [0.05, 0.05], [0.01, 0.01], [0.09, 0.09], [0.05, 0.01], [1, 1], [0.03, 0.03])
    assert got.tolist() == ["confirmed", "inconclusive"]
