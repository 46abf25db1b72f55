"""Edge cases give finite numbers or an honest French "not estimable"; kernels agree with statsmodels."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import tal.stats as ts
from docs_stats import randomized


def _finite(*arrays):
    return all(np.all(np.isfinite(np.asarray(a, dtype=float))) for a in arrays)


# ---------------------------------------------------------------- binary


def test_binary_zero_in_one_arm_and_both():
    res = ts.compare_binary([0, 0], [50, 100], [6, 0], [50, 100])
    assert _finite(res["difference_low"], res["difference_high"], res["ratio_low"], res["ratio_high"], res["p_value"])
    assert res["fisher"].all()
    assert res["p_value"][1] == 1.0
    assert res["difference_low"][1] < 0 < res["difference_high"][1]
    assert math.isinf(res["ratio"][0]) and math.isnan(res["ratio"][1])


def test_binary_five_per_arm_and_identical_arms():
    res = ts.compare_binary([1, 3, 5], [5, 5, 5], [4, 3, 5], [5, 5, 5])
    assert res["fisher"].all()
    assert _finite(res["difference_low"], res["difference_high"], res["p_value"])
    assert res["p_value"][1] == pytest.approx(1.0)
    assert res["difference"][1] == 0.0
    # all successes in both arms: the log-adjusted interval would be the point 1
    assert math.isnan(res["ratio_low"][2]) and math.isnan(res["ratio_high"][2])


def test_binary_ten_million_per_arm():
    n = 10_000_000
    res = ts.compare_binary([1_700_000], [n], [1_690_000], [n])
    assert not res["fisher"][0]
    assert _finite(res["difference_low"], res["difference_high"], res["p_value"], res["ratio_low"])
    assert res["difference_high"][0] < 0 and res["p_value"][0] < 1e-6
    up, down = ts.prob_b_beats_a([1_700_000], [n], [1_690_000], [n])
    assert 0 <= up[0] < 1e-6 and down[0] == pytest.approx(1.0)


def test_binary_kernel_matches_statsmodels_per_comparison():
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    rng = np.random.default_rng(7)
    n_a = rng.integers(30, 3000, 40)
    n_b = rng.integers(30, 3000, 40)
    x_a = rng.binomial(n_a, 0.2)
    x_b = rng.binomial(n_b, 0.25)
    res = ts.compare_binary(x_a, n_a, x_b, n_b, alpha=np.where(np.arange(40) % 2, 0.05, 0.1))
    for i in range(40):
        a = 0.1 if i % 2 == 0 else 0.05
        z, p = proportions_ztest([x_b[i], x_a[i]], [n_b[i], n_a[i]])
        assert res["difference_low"][i] == pytest.approx(
            confint_proportions_2indep(x_b[i], n_b[i], x_a[i], n_a[i], method="newcomb", alpha=a)[0], rel=1e-12)
        assert res["ratio_high"][i] == pytest.approx(confint_proportions_2indep(
            x_b[i], n_b[i], x_a[i], n_a[i], method="log-adjusted", compare="ratio", alpha=a)[1], rel=1e-12)
        if not res["fisher"][i]:
            assert res["statistic"][i] == pytest.approx(z, rel=1e-12)
            assert res["p_value"][i] == pytest.approx(p, rel=1e-10)


def test_probability_better_matches_hypergeometric_tail():
    from scipy import stats

    rng = np.random.default_rng(3)
    n_a, n_b = rng.integers(1, 4000, 200), rng.integers(1, 4000, 200)
    x_a, x_b = rng.integers(0, n_a + 1), rng.integers(0, n_b + 1)
    up, down = ts.prob_b_beats_a(x_a, n_a, x_b, n_b)
    ref = stats.hypergeom.sf(x_a, n_a + n_b + 2, n_a + 1, x_a + x_b + 1)
    assert np.max(np.abs(up - ref)) < 1e-11
    assert np.max(np.abs(up + down - 1)) < 1e-12
    assert ts.prob_b_beats_a(0, 1, 1, 1)[0][0] == pytest.approx(5 / 6, abs=1e-14)


# ---------------------------------------------------------------- mean, rate, ordinal


def test_mean_matches_scipy_and_flags_degenerate_arms():
    from scipy.stats import ttest_ind_from_stats

    res = ts.compare_mean([5, 5, 1, 5], [3.0, 3.0, 1.0, 1.0], [1.2, 0.0, 0.0, 2.0],
                          [5, 5, 3, 5], [5.5, 3.0, 1.0, 1.0], [2.5, 0.0, 1.0, 2.0])
    ref = ttest_ind_from_stats(3.0, 1.2, 5, 5.5, 2.5, 5, equal_var=False)
    assert res["p_value"][0] == pytest.approx(ref.pvalue, rel=1e-10)
    assert math.isnan(res["p_value"][1])  # zero variance in both arms
    assert math.isnan(res["p_value"][2])  # an arm of one unit
    assert res["p_value"][3] == pytest.approx(1.0) and res["difference"][3] == 0.0


def test_rate_score_interval_matches_statsmodels_and_zero_counts():
    from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

    res = ts.compare_rate([30, 12, 0, 0, 3], [1000, 500, 100, 100, 100], [50, 20, 4, 0, 0], [1200, 400, 100, 100, 100])
    for i in (0, 1):
        args = ([50, 20][i], [1200, 400][i], [30, 12][i], [1000, 500][i])
        low, high = confint_poisson_2indep(*args, method="score")
        assert res["ratio_low"][i] == pytest.approx(low, rel=1e-6)
        assert res["ratio_high"][i] == pytest.approx(high, rel=1e-6)
        assert res["p_value"][i] == pytest.approx(test_poisson_2indep(*args, method="score").pvalue, rel=1e-10)
    assert res["exact"][2:].all() and not res["exact"][:2].any()
    assert math.isnan(res["ratio"][2]) and math.isnan(res["ratio_high"][2]) and res["ratio_low"][2] > 0
    assert res["p_value"][3] == 1.0 and res["ratio_low"][3] == 0.0
    assert res["ratio"][4] == 0.0 and res["ratio_low"][4] == 0.0 and np.isfinite(res["ratio_high"][4])


def test_ordinal_identical_single_level_not_estimable():
    res = ts.compare_ordinal([[0, 5, 0], [5, 5, 0]], [[0, 5, 0], [5, 5, 0]])
    assert res["estimate"][0] == 0.5 and math.isnan(res["p_value"][0])
    assert res["p_value"][1] == pytest.approx(1.0)


# ---------------------------------------------------------------- series


def test_its_flat_series_has_no_interval():
    fit = ts.interrupted_time_series([5.0] * 14, 7)
    assert fit["flat"] and not fit["too_short"] and math.isnan(fit["effect"]["p_value"])
    assert abs(fit["effect"]["estimate"]) < 1e-9 and fit["fitted"] == pytest.approx([5.0] * 14)


def test_its_series_with_no_effect_is_not_significant():
    rng = np.random.default_rng(11)
    y = 100 + 0.5 * np.arange(40) + rng.normal(0, 2, 40)
    fit = ts.interrupted_time_series(y, 20)
    assert fit["effect"]["p_value"] > 0.05
    assert fit["effect"]["low"] < 0 < fit["effect"]["high"]


# ---------------------------------------------------------------- portfolio / JSON


def _comparisons(out):
    return [c for it in out["iterations"] for c in it["comparisons"]]


def test_edge_documents_give_json_without_nan():
    doc = randomized()
    rows = doc["iterations"][0]["results"]
    rows[0].update(n=5, successes=0)
    rows[1].update(n=5, successes=0)
    rows[2].update(sd=0.0, mean=3.0)
    rows[3].update(sd=0.0, mean=3.0)
    rows[4].update(events=0)
    rows[5].update(events=0)
    rows[6]["counts"] = [0, 0, 7, 0, 0]
    rows[7]["counts"] = [0, 0, 7, 0, 0]
    out = ts.evaluate_experiment(doc)
    text = json.dumps(out, allow_nan=False)  # raises on NaN / inf
    assert "NaN" not in text
    by = {c["metric"]: c for c in _comparisons(out)}
    assert by["absence"]["p_value"] == 1.0 and by["absence"]["method"] == "Fisher exact test"
    assert by["absence"]["ratio"] is None and "rapport" in by["absence"]["warnings"][0]
    assert by["attente"]["p_value"] is None and "Écart-type nul" in by["attente"]["not_estimable"]
    assert by["plaintes"]["ratio"] is None and by["plaintes"]["ratio_ci"][1] is None
    assert by["satisfaction"]["p_value"] is None and by["satisfaction"]["not_estimable"]
    assert {c["verdict"] for c in by.values()} <= set(ts.VERDICTS)
    assert by["attente"]["verdict"] == "inconclusive"


def test_output_values_are_plain_python_types():
    out = ts.evaluate_experiment(randomized())

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        else:
            assert x is None or type(x) in (str, int, float, bool), type(x)
            if isinstance(x, float):
                assert math.isfinite(x)

    walk(out)


def test_did_with_one_unit_per_side_gives_no_spurious_significance():
    from tal.stats import difference_in_differences

    periods = [f"2026-0{i}" for i in range(1, 7)] * 2
    values = [7.6, 6.0, 9.3, 11.3, 13.4, 10.3, 8.3, 7.6, 12.2, 14.9, 10.8, 6.3]
    r = difference_in_differences(["T"] * 6 + ["C"] * 6, periods, values, ["T"], "2026-04")
    assert r["estimate"] == pytest.approx((13.4 + 10.3 + 11.3) / 3 - (7.6 + 6.0 + 9.3) / 3
                                          - ((14.9 + 10.8 + 6.3) / 3 - (8.3 + 7.6 + 12.2) / 3))
    assert math.isnan(r["p_value"]) and math.isnan(r["low"])


def test_did_on_the_smallest_panel_does_not_raise():
    from tal.stats import difference_in_differences

    r = difference_in_differences(["a", "a", "b", "b"], ["1", "2", "1", "2"], [1, 2, 3, 5.0], ["a"], "2")
    assert r["estimate"] == pytest.approx(-1.0) and math.isnan(r["p_value"])


def test_did_orders_numeric_periods_as_numbers():
    import numpy as np

    from tal.stats import difference_in_differences

    rng = np.random.default_rng(1)
    units = [u for u in "ABCDEF" for _ in range(12)]
    periods = [str(i) for _ in range(6) for i in range(1, 13)]
    values = [(5 if (u in "AB" and int(p) >= 10) else 0) + rng.normal(0, 0.1) for u, p in zip(units, periods)]
    r = difference_in_differences(units, periods, values, ["A", "B"], "10")
    assert r["estimate"] == pytest.approx(5.0, abs=0.1)
    assert r["group_means"]["periods"] == [str(i) for i in range(1, 13)]


def test_mean_planning_matches_the_t_power_even_for_tiny_and_huge_samples():
    from statsmodels.stats.power import TTestIndPower

    from tal.stats.planning import mde_mean, power_mean, sample_size_mean

    assert mde_mean(1, 2, 2, 0.01, 0.95) == pytest.approx(17.3225, rel=1e-3)
    assert mde_mean(1, 3, 3, 0.01, 0.95) == pytest.approx(6.1408, rel=1e-3)
    assert mde_mean(1, 100, 120) == pytest.approx(TTestIndPower().solve_power(nobs1=100, alpha=0.05, power=0.8, ratio=1.2), rel=1e-4)
    assert sample_size_mean(12, 1) == 2
    for d in (0.2, 0.5, 1.0):
        assert sample_size_mean(d, 1) == math.ceil(TTestIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8))
    assert float(power_mean(0.99, 1, 500, 500)[0]) == pytest.approx(1.0)


@pytest.mark.parametrize("seasonal", [False, True])
def test_constant_count_series_has_no_interval_instead_of_failing(seasonal):
    """Counts identical every month (5 a month, constant exposure): statsmodels' scale
    « X2 » raised « The first guess on the deviance function returned a nan » and the
    whole experiment could not be evaluated. A series without residual variability has
    a rate ratio of 1 and neither interval nor p-value."""
    from tal.stats.its import count_time_series

    fit = count_time_series([5] * 24, [1e6] * 24, 12, 0.05, seasons=list(range(12)) * 2 if seasonal else None,
                            cycle=12 if seasonal else None)
    rr = fit["rate_ratio"]
    assert rr["estimate"] == pytest.approx(1.0) and fit["dispersion"] == 0.0
    assert all(math.isnan(rr[k]) for k in ("low", "high", "p_value"))
    varied = count_time_series([5, 6] * 12, [1e6] * 24, 12, 0.05)["rate_ratio"]
    assert varied["low"] < varied["estimate"] < varied["high"] and 0 < varied["p_value"] < 1
