"""The barometer's scores, reliability, intervals and small-group rule, against values
computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import random

import pytest

from tal.barometer import scoring


def answer(ps=(4,) * 7, who=(3,) * 5, dig=(3,) * 3) -> dict:
    return {**dict(zip(scoring.PS_ITEMS, ps)), **dict(zip(scoring.WHO_ITEMS, who)), **dict(zip(scoring.DIG_ITEMS, dig))}


def test_psychological_safety_reverses_items_1_3_and_5():
    # ps = 2, 6, 1, 5, 3, 6, 7 -> scored 8-2=6, 6, 8-1=7, 5, 8-3=5, 6, 7: sum 42, mean 6.
    assert scoring.psychological_safety(answer(ps=(2, 6, 1, 5, 3, 6, 7))) == 6.0
    # The worst answer on every item (1 on the positive items, 7 on the reversed ones) scores 1.
    assert scoring.psychological_safety(answer(ps=(7, 1, 7, 1, 7, 1, 1))) == 1.0
    assert [scoring.scored(i, 2) for i in scoring.PS_ITEMS] == [6, 2, 6, 2, 6, 2, 2]


def test_who5_is_the_raw_sum_times_four():
    assert scoring.wellbeing(answer(who=(3, 4, 2, 5, 1))) == 60.0  # (3+4+2+5+1) × 4
    assert scoring.wellbeing(answer(who=(0,) * 5)) == 0.0
    assert scoring.wellbeing(answer(who=(5,) * 5)) == 100.0
    assert scoring.digital(answer(dig=(2, 3, 5))) == pytest.approx(10 / 3)


def test_cronbach_alpha_by_hand():
    rows = [[1, 2, 3], [2, 3, 3], [3, 3, 4], [4, 5, 5]]
    # item variances 5/3, 4.75/3, 2.75/3 (sum 25/6); totals 6, 8, 10, 14: variance 35/3;
    # alpha = 3/2 × (1 − (25/6)/(35/3)) = 3/2 × 9/14 = 27/28.
    assert scoring.cronbach_alpha(rows) == pytest.approx(27 / 28)
    assert scoring.cronbach_alpha([[1, 2, 3]]) is None
    assert scoring.cronbach_alpha([[3, 3], [3, 3]]) is None  # constant sums: undefined


def test_alpha_is_computed_on_reverse_scored_items():
    # Two respondents answering consistently: the reversed items move against the others.
    low, high = answer(ps=(6, 2, 6, 2, 6, 2, 2)), answer(ps=(2, 6, 2, 6, 2, 6, 6))
    group = scoring.describe("G", ["G"], [low, high, low, high], 0)
    assert group.scales["psychological_safety"].alpha == pytest.approx(1.0)
    assert group.scales["psychological_safety"].mean == pytest.approx(4.0)  # (2 + 6) / 2


def test_t_interval_of_a_mean():
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, sd = √(32/7) = 2.13809,
    # se = sd/√8 = 0.755929, t(0.975, 7) = 2.364624: half-width 1.787488.
    e = scoring.mean_interval([2, 4, 4, 4, 5, 5, 7, 9])
    assert e.mean == 5 and e.sd == pytest.approx(2.138090, abs=1e-6)
    assert e.ci == pytest.approx((3.212512, 6.787488), abs=1e-5)
    assert scoring.mean_interval([4]).ci is None


def test_change_between_two_independent_samples_is_welch():
    # before 1, 2, 3, 4 (mean 2.5, var 5/3); after 2, 4, 6, 8, 10 (mean 6, var 10).
    # se² = (5/3)/4 + 10/5 = 2.416667, se = 1.554563; df = 2.416667² / (0.416667²/3 + 2²/4) = 5.52079;
    # t(0.975, 5.52) = 2.49933: 3.5 ± 3.885368.
    before, after = scoring.mean_interval([1, 2, 3, 4]), scoring.mean_interval([2, 4, 6, 8, 10])
    diff, ci = scoring.difference_interval(before, after)
    assert diff == 3.5
    assert ci == pytest.approx((-0.385368, 7.385368), abs=1e-5)
    assert scoring.difference_interval(scoring.mean_interval([3]), after) is None
    # Two constant samples: the change is exact, with no interval to give.
    assert scoring.difference_interval(scoring.mean_interval([3, 3]), scoring.mean_interval([4, 4, 4])) == (1, None)


def test_group_figures_distribution_and_response_rate():
    answers = [answer(ps=(1, 7, 1, 7, 1, 7, 7), who=(5, 5, 5, 5, 5)), answer(who=(0, 1, 2, 3, 4))]
    group = scoring.describe("Service", ["Service"], answers, population=8)
    assert group.n == 2 and group.response_rate == 0.25
    assert group.scales["psychological_safety"].mean == pytest.approx((7 + 4) / 2)
    assert group.scales["wellbeing"].mean == pytest.approx((100 + 40) / 2)
    assert group.distribution["ps1"] == {1: 1, 2: 0, 3: 0, 4: 1, 5: 0, 6: 0, 7: 0}
    assert group.distribution["who5"] == {0: 0, 1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    assert scoring.describe("S", ["S"], answers, population=0).response_rate is None


K = 10


@pytest.mark.parametrize("counts, services, others, others_shown, whole", [
    ({"A": 10, "B": 10, "C": 10}, ["A", "B", "C"], [], False, True),  # every service just at the threshold
    ({"A": 11, "B": 10}, ["A", "B"], [], False, True),
    # C just under: alone in « autres » (9) it would be whole − A − B: the smallest shown joins it.
    ({"A": 10, "B": 10, "C": 9}, ["B"], ["A", "C"], True, True),
    ({"A": 25, "B": 12, "C": 5, "D": 5}, ["A", "B"], ["C", "D"], True, True),  # hidden ones reach 10 together
    ({"A": 25, "B": 12, "C": 4, "D": 5}, ["A"], ["B", "C", "D"], True, True),  # 9: B joins them
    # Two services, one under: merged, and the merged group is the whole.
    ({"A": 15, "B": 3}, [], ["A", "B"], False, True),
    ({"A": 9}, [], ["A"], False, False),  # total just under the threshold: nothing shown
    ({"A": 5, "B": 4}, [], ["A", "B"], False, False),
    ({"A": 10}, ["A"], [], False, True),
])
def test_small_groups_are_merged_and_nothing_hidden_can_be_deduced(counts, services, others, others_shown, whole):
    groups = scoring.suppress(counts, K)
    assert (groups.services, groups.others, groups.others_shown, groups.whole_shown) == (
        services, others, others_shown, whole)


def test_no_hidden_service_can_be_deduced_by_difference_whatever_the_counts():
    rng = random.Random(15)
    for _ in range(2000):
        counts = {f"S{i}": rng.choice([0, 1, 3, 8, 9, 10, 11, 14, 30]) for i in range(rng.randint(1, 6))}
        groups = scoring.suppress(counts, K)
        total = sum(counts.values())
        assert groups.whole_shown == (total >= K)
        shown = [counts[s] for s in groups.services]
        assert all(n >= K for n in shown)
        hidden = total - sum(shown)
        # What the whole minus the shown services leaves is empty or itself a group of K or more.
        assert not groups.whole_shown or hidden == 0 or hidden >= K
        assert sorted(groups.services + groups.others) == sorted(counts)
        if groups.others_shown:
            assert hidden >= K and groups.services
