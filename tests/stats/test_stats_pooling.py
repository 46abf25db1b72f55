"""Pooling replications (STATS.md « Pooling replications »), checked against an
independent DerSimonian–Laird computation written out here with numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2, norm

from tal.stats.pooling import PoolingError, dersimonian_laird, not_pooled, pool


def reference_dl(y, v, alpha=0.05):
    """Textbook DerSimonian–Laird (1986), by hand."""
    y, v = np.asarray(y, float), np.asarray(v, float)
    w = 1 / v
    fixed = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - fixed) ** 2)
    df = len(y) - 1
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    tau2 = max(0.0, (q - df) / c)
    i2 = max(0.0, (q - df) / q)
    ws = 1 / (v + tau2)
    mu = np.sum(ws * y) / np.sum(ws)
    se = 1 / math.sqrt(np.sum(ws))
    z = norm.ppf(1 - alpha / 2)
    fixed_se = 1 / math.sqrt(np.sum(w))
    return {
        "estimate": mu, "ci": [mu - z * se, mu + z * se], "p_value": 2 * norm.sf(abs(mu / se)),
        "fixed": fixed, "fixed_ci": [fixed - z * fixed_se, fixed + z * fixed_se],
        "tau2": tau2, "i2": i2, "q": q, "q_p_value": chi2.sf(q, df), "weights": ws / np.sum(ws),
    }


def binary_study(slug, control, arm, *, service="Service", key="absence", kind="binary", arms=("courrier", "sms"),
                 design="randomized"):
    """A randomized study: control and arm are (n, successes) for a binary metric."""
    rows = [{"metric": key, "arm": arms[0], "n": control[0], "successes": control[1]}]
    for extra in arms[1:]:
        rows.append({"metric": key, "arm": extra, "n": arm[0], "successes": arm[1]})
    return {
        "experiment": slug,
        "service": service,
        "document": {
            "experiment": {"slug": slug, "design": design},
            "metrics": [{"key": key, "kind": kind, "alpha": 0.05}],
            "arms": [{"key": arms[0], "control": True}, *({"key": a} for a in arms[1:])],
            "iterations": [{"number": 1, "results": rows}],
        },
        "evaluation": None,
    }


def risk_difference(control, arm):
    (n0, s0), (n1, s1) = control, arm
    p0, p1 = s0 / n0, s1 / n1
    return p1 - p0, p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0


def check_against_reference(metric, y, v):
    ref = reference_dl(y, v)
    assert metric["k"] == len(y)
    assert metric["pooled"]["estimate"] == pytest.approx(ref["estimate"], rel=1e-9)
    assert metric["pooled"]["ci"] == pytest.approx(ref["ci"], rel=1e-9)
    assert metric["pooled"]["p_value"] == pytest.approx(ref["p_value"], rel=1e-6)
    assert metric["fixed"]["estimate"] == pytest.approx(ref["fixed"], rel=1e-9)
    assert metric["fixed"]["ci"] == pytest.approx(ref["fixed_ci"], rel=1e-9)
    assert metric["tau2"] == pytest.approx(ref["tau2"], abs=1e-12)
    assert metric["i2"] == pytest.approx(ref["i2"], abs=1e-9)
    assert metric["q"] == pytest.approx(ref["q"], rel=1e-9)
    assert metric["q_p_value"] == pytest.approx(ref["q_p_value"], rel=1e-6)
    assert [s["weight"] for s in metric["studies"]] == pytest.approx(list(ref["weights"]), rel=1e-9)
    assert [s["estimate"] for s in metric["studies"]] == pytest.approx(y, rel=1e-12)
    assert [s["std_error"] for s in metric["studies"]] == pytest.approx(np.sqrt(v), rel=1e-12)
    return ref


HOMOGENEOUS = [((1204, 211), (1198, 149)), ((800, 140), (790, 100)), ((950, 160), (940, 115)), ((600, 100), (610, 72))]
HETEROGENEOUS = [((1000, 200), (1000, 100)), ((1000, 180), (1000, 178)), ((900, 150), (900, 60)), ((700, 120), (700, 125))]


def test_a_homogeneous_set_truncates_tau2_at_zero_and_matches_textbook_dl():
    studies = [binary_study(f"e{i}", c, a, service=f"S{i}") for i, (c, a) in enumerate(HOMOGENEOUS)]
    y, v = zip(*(risk_difference(c, a) for c, a in HOMOGENEOUS))
    result = pool("rappel-sms-rendez-vous", studies)
    assert result["intervention"] == "rappel-sms-rendez-vous"
    assert set(result["engine"]) >= {"tal", "statsmodels"}
    [metric] = result["metrics"]
    assert (metric["metric"], metric["kind"], metric["scale"], metric["method"]) == (
        "absence", "binary", "difference", "DerSimonian-Laird random effects")
    ref = check_against_reference(metric, list(y), list(v))
    # Homogeneous: Q < df, so tau² = I² = 0 and the random-effects estimate is the fixed one.
    assert ref["q"] < len(y) - 1
    assert metric["tau2"] == 0.0 and metric["i2"] == 0.0
    assert metric["pooled"]["estimate"] == pytest.approx(metric["fixed"]["estimate"], rel=1e-12)
    assert metric["studies"][0] == {
        "experiment": "e0", "service": "S0", "iteration": 1, "arm": "sms",
        "estimate": pytest.approx(y[0]), "std_error": pytest.approx(math.sqrt(v[0])), "weight": pytest.approx(ref["weights"][0]),
    }


def test_a_heterogeneous_set_matches_textbook_dl():
    studies = [binary_study(f"e{i}", c, a) for i, (c, a) in enumerate(HETEROGENEOUS)]
    y, v = zip(*(risk_difference(c, a) for c, a in HETEROGENEOUS))
    [metric] = pool("x", studies)["metrics"]
    ref = check_against_reference(metric, list(y), list(v))
    assert ref["tau2"] > 0 and ref["i2"] > 0.75
    # Random effects widen the interval compared with the fixed effect.
    assert metric["pooled"]["ci"][1] - metric["pooled"]["ci"][0] > metric["fixed"]["ci"][1] - metric["fixed"]["ci"][0]


def test_the_kernel_alone_matches_the_reference_on_random_sets():
    rng = np.random.default_rng(7)
    for _ in range(20):
        k = int(rng.integers(2, 9))
        y, v = rng.normal(0, 1, k), rng.uniform(0.01, 0.5, k)
        fit, ref = dersimonian_laird(y, v), reference_dl(y, v)
        assert fit["pooled"]["estimate"] == pytest.approx(ref["estimate"], rel=1e-9, abs=1e-12)
        assert fit["tau2"] == pytest.approx(ref["tau2"], rel=1e-9, abs=1e-12)
        assert fit["i2"] == pytest.approx(ref["i2"], abs=1e-9)
        assert fit["weights"] == pytest.approx(list(ref["weights"]), rel=1e-9)


def mean_rate_study(slug, kind, control, arm):
    fields = ("n", "mean", "sd") if kind == "mean" else ("events", "exposure")
    rows = [{"metric": "m", "arm": name, **dict(zip(fields, values))} for name, values in (("a", control), ("b", arm))]
    return {
        "experiment": slug, "service": slug.upper(), "evaluation": None,
        "document": {"experiment": {"slug": slug, "design": "randomized"}, "metrics": [{"key": "m", "kind": kind}],
                     "arms": [{"key": "a", "control": True}, {"key": "b"}],
                     "iterations": [{"number": 1, "results": rows}]},
    }


def test_mean_differences_use_the_welch_variance():
    data = [((100, 10.0, 4.0), (120, 9.0, 3.0)), ((80, 11.0, 5.0), (90, 10.5, 4.5)), ((200, 10.0, 4.0), (210, 8.0, 4.0))]
    studies = [mean_rate_study(f"m{i}", "mean", c, a) for i, (c, a) in enumerate(data)]
    y = [a[1] - c[1] for c, a in data]
    v = [a[2] ** 2 / a[0] + c[2] ** 2 / c[0] for c, a in data]
    [metric] = pool("x", studies)["metrics"]
    assert metric["scale"] == "difference"
    check_against_reference(metric, y, v)


def test_rates_are_pooled_as_log_ratios_with_half_an_event_added_to_a_zero():
    data = [((40, 1000.0), (25, 1000.0)), ((0, 500.0), (3, 520.0)), ((30, 800.0), (22, 790.0))]
    studies = [mean_rate_study(f"r{i}", "rate", c, a) for i, (c, a) in enumerate(data)]
    y, v = [], []
    for (e0, x0), (e1, x1) in data:
        if e0 == 0 or e1 == 0:
            e0, e1 = e0 + 0.5, e1 + 0.5
        y.append(math.log((e1 / x1) / (e0 / x0)))
        v.append(1 / e1 + 1 / e0)
    [metric] = pool("x", studies)["metrics"]
    assert metric["scale"] == "log_ratio"
    check_against_reference(metric, y, v)


def designed_study(slug, design, difference, std_error, kind="mean"):
    return {
        "experiment": slug, "service": "S", "document": {
            "experiment": {"slug": slug, "design": design}, "metrics": [{"key": "m", "kind": kind}],
            "iterations": [{"number": 1}, {"number": 2}]},
        "evaluation": {"iterations": [
            {"number": 1, "comparisons": [{"metric": "m", "arm": "après", "difference": 99.0, "std_error": 1.0}]},
            {"number": 2, "comparisons": [{"metric": "m", "arm": "après", "difference": difference, "std_error": std_error}]},
        ]},
    }


def test_before_after_and_comparison_group_bring_their_estimate_and_standard_error_from_the_last_iteration():
    studies = [designed_study("ba", "before_after", -2.0, 0.5), designed_study("cg", "comparison_group", -3.0, 0.8),
               mean_rate_study("rct", "mean", (100, 10.0, 4.0), (100, 8.0, 4.0))]
    [metric] = pool("x", studies)["metrics"]
    assert [s["iteration"] for s in metric["studies"]] == [2, 2, 1]
    check_against_reference(metric, [-2.0, -3.0, -2.0], [0.25, 0.64, 0.32])


def test_the_last_iteration_with_results_is_used():
    study = binary_study("a", (100, 20), (100, 10))
    study["document"]["iterations"].append({"number": 2, "results": []})
    other = binary_study("b", (100, 30), (100, 20))
    [metric] = pool("x", [study, other])["metrics"]
    assert metric["studies"][0]["iteration"] == 1


def test_several_arms_use_the_arm_key_common_to_all():
    a = binary_study("a", (500, 100), (500, 70), arms=("témoin", "sms", "appel"))
    b = binary_study("b", (500, 110), (500, 80), arms=("témoin", "sms"))
    [metric] = pool("x", [a, b])["metrics"]
    assert [s["arm"] for s in metric["studies"]] == ["sms", "sms"]


def test_refusals_name_the_experiments_and_the_metric():
    one = binary_study("seule", (100, 20), (100, 10))
    with pytest.raises(PoolingError, match="au moins deux expérimentations.*« seule »"):
        pool("x", [one])
    with pytest.raises(PoolingError, match="au moins deux expérimentations"):
        pool("x", [])
    other_kind = binary_study("b", (100, 20), (100, 10), kind="mean")
    with pytest.raises(PoolingError, match="« absence » n'a pas le même type.*« seule » : binary, « b » : mean"):
        pool("x", [one, other_kind])
    other_key = binary_study("c", (100, 20), (100, 10), key="retard")
    with pytest.raises(PoolingError, match="aucun indicateur à combiner entre « seule », « c »"):
        pool("x", [one, other_key])
    ordinal = [binary_study(s, (1, 1), (1, 1), kind="ordinal") for s in ("o1", "o2")]
    with pytest.raises(PoolingError, match="« absence » est ordinal"):
        pool("x", ordinal)
    ambiguous = [binary_study("a", (9, 1), (9, 2), arms=("t", "x", "y")), binary_study("b", (9, 1), (9, 2), arms=("t", "x", "y"))]
    with pytest.raises(PoolingError, match="indicateur « absence » : « a », « b » comptent plusieurs bras"):
        pool("x", ambiguous)
    flat = [binary_study("p", (100, 0), (100, 0)), binary_study("q", (100, 20), (100, 10))]
    with pytest.raises(PoolingError, match="« p » a une variance nulle"):
        pool("x", flat)
    no_data = [binary_study("d", (100, 20), (100, 10)), binary_study("e", (100, 20), (100, 10))]
    no_data[1]["document"]["iterations"] = []
    with pytest.raises(PoolingError, match="que dans 1 expérimentation.*« d »"):
        pool("x", no_data)


def test_an_ordinal_metric_beside_a_pooled_one_is_left_out_and_said_so():
    studies = [binary_study(s, (100, 20), (100, 10)) for s in ("a", "b")]
    for s in studies:
        s["document"]["metrics"].append({"key": "satisfaction", "kind": "ordinal"})
    result = pool("x", studies)
    assert [m["metric"] for m in result["metrics"]] == ["absence"]
    assert not_pooled(studies) == [("satisfaction", "ordinal")]


def test_a_rate_before_after_joins_on_the_log_ratio_and_only_with_a_ratio():
    with_ratio = designed_study("its", "before_after", None, 0.1, kind="rate")
    comparison = with_ratio["evaluation"]["iterations"][1]["comparisons"][0]
    comparison.update(ratio=0.885, ratio_ci=[0.839, 0.933], std_error=None, alpha=0.05)
    rct = mean_rate_study("rct", "rate", (40, 1000.0), (30, 1000.0))
    rct["document"]["metrics"][0]["key"] = "m"
    [metric] = pool("x", [with_ratio, rct])["metrics"]
    se = (math.log(0.933) - math.log(0.839)) / (2 * norm.ppf(0.975))
    check_against_reference(metric, [math.log(0.885), math.log(30 / 40)], [se**2, 1 / 30 + 1 / 40])
    # Without a ratio (a series of counts without exposure), it is not pooled with rates.
    comparison.update(ratio=None, difference=-12.0, difference_ci=[-20.0, -4.0])
    with pytest.raises(PoolingError, match="que dans 1 expérimentation"):
        pool("x", [with_ratio, rct])
