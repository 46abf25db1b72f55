"""evaluate_experiment / evaluate_portfolio on small documents of each design."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tal.stats as ts
from docs_stats import before_after, comparison_group, randomized, three_arms

CONTRACT = {"metric", "role", "kind", "arm", "control", "control_value", "arm_value", "difference",
            "difference_ci", "ratio", "ratio_ci", "p_value", "p_value_adjusted", "method",
            "probability_better", "verdict"}


def _comparisons(out):
    return [c for it in out["iterations"] for c in it["comparisons"]]


def test_lazy_import_in_a_fresh_interpreter():
    repo = Path(__file__).resolve().parents[2]
    code = ("import sys, tal.stats; assert 'statsmodels' not in sys.modules, 'statsmodels'; "
            "assert 'scipy' not in sys.modules, 'scipy'; "
            "tal.stats.engine_versions(); assert 'statsmodels' not in sys.modules; print('ok')")
    env = dict(os.environ, PYTHONPATH=str(repo))
    run = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_randomized_document():
    out = ts.evaluate_experiment(randomized())
    assert out["experiment"] == "rappel-sms-etat-civil" and out["design"] == "randomized"
    assert out["engine"]["tal"] == "0.1.0" and out["engine"]["statsmodels"].startswith("0.15")
    it = out["iterations"][0]
    assert it["number"] == 1 and it["srm"]["mismatch"] is False and 0.7 < it["srm"]["p_value"] < 0.8
    comps = it["comparisons"]
    assert [c["metric"] for c in comps] == ["absence", "attente", "plaintes", "satisfaction"]
    for c in comps:
        assert CONTRACT <= set(c)
    absence = comps[0]
    assert absence["arm"] == "sms" and absence["control"] == "courrier"
    assert absence["control_value"] == pytest.approx(211 / 1204)
    assert absence["difference"] == pytest.approx(147 / 1190 - 211 / 1204)
    assert absence["difference_ci"][0] < absence["difference"] < absence["difference_ci"][1] < 0
    assert absence["method"] == "pooled z-test" and absence["p_value"] < 0.001
    assert absence["probability_better"] > 0.999  # direction decrease: P(B < A)
    assert absence["verdict"] == "confirmed"
    assert absence["planning"]["n_per_arm_needed"] == int(ts.sample_size_binary(0.17, 0.03, -1.0)[0])
    assert absence["planning"]["more_units_needed"] is None
    assert comps[1]["method"] == "Welch t-test" and comps[1]["verdict"] == "no_useful_effect"
    assert comps[2]["kind"] == "rate" and comps[2]["verdict"] == "guardrail_ok"
    assert comps[2]["difference_ci"] is None and comps[2]["ratio_ci"][0] < 1 < comps[2]["ratio_ci"][1]
    assert comps[3]["probability_of_superiority"] == pytest.approx(0.57)
    assert comps[3]["verdict"] == "inconclusive"
    json.dumps(out, allow_nan=False)


def test_multi_arm_holm_and_srm_mismatch():
    doc = three_arms()
    doc["metrics"][0]["mde"] = 0.04  # planned size (at alpha / 3) reached: the fixed-sample analysis
    out = ts.evaluate_experiment(doc)
    comps = _comparisons(out)
    assert [c["arm"] for c in comps] == ["B", "C", "D"]
    assert not any(c["interim"] for c in comps)
    assert [c["p_value_adjusted"] for c in comps] == pytest.approx(
        [0.008826279211377828, 0.8734061949477099, 0.8734061949477099], rel=1e-7)
    assert [c["verdict"] for c in comps] == ["confirmed", "no_useful_effect", "no_useful_effect"]

    out = ts.evaluate_experiment(three_arms())  # mde 0.02: 2,000 per arm is short of the plan
    comps = _comparisons(out)
    assert all(c["interim"] for c in comps) and [c["verdict"] for c in comps] == ["inconclusive"] * 3
    assert comps[1]["planning"]["more_units_needed"] == comps[1]["planning"]["n_per_arm_needed"] - 2000

    doc = three_arms()
    doc["iterations"][0]["results"][1]["n"] = 2600
    out = ts.evaluate_experiment(doc)
    assert out["iterations"][0]["srm"]["mismatch"] is True
    assert all("SRM" in c["warnings"][0] for c in _comparisons(out))


def test_holm_again_across_primary_metrics():
    doc = randomized()
    doc["metrics"][1]["role"] = "primary"  # two primary metrics: absence and attente
    comps = _comparisons(ts.evaluate_experiment(doc))
    # the p-value that decides: the sequential one while the planned size is not reached
    p = [c["sequential_p_value"] if c["interim"] else c["p_value"] for c in comps[:2]]
    assert [comps[0]["p_value_adjusted"], comps[1]["p_value_adjusted"]] == pytest.approx(
        ts.holm(p).tolist(), rel=1e-12)
    assert comps[0]["p_value_adjusted"] == pytest.approx(2 * p[0])


def test_before_after_document():
    out = ts.evaluate_experiment(before_after())
    assert out["iterations"][0]["srm"] is None
    (c,) = _comparisons(out)
    assert (c["arm"], c["control"]) == ("après", "avant")
    assert c["method"] == "segmented regression, AR(1) GLS (REML), Satterthwaite t"
    assert c["arm_value"] - c["control_value"] == pytest.approx(c["difference"])
    low, high = c["difference_ci"]
    assert low < c["difference"] < high and c["std_error"] == pytest.approx((high - low) / (2 * 1.959963984540054))
    # 24 months with strongly autocorrelated noise (φ̂ ≈ 0.5): the level drop of about
    # −17 is within what such a short series can produce by chance at 5 %.
    lev = c["level_change"]
    assert lev["estimate"] == pytest.approx(-17.1, abs=0.1) and lev["ci"][0] < -17 < lev["ci"][1]
    assert 0.05 < lev["p_value"] < 0.2
    assert c["autocorrelation"] == pytest.approx(0.52, abs=0.01)
    assert c["p_value"] > 0.05 and c["verdict"] == "inconclusive"
    assert len(c["fitted"]) == len(c["counterfactual"]) == 24 and "too_short" not in c
    assert "causalité" in c["warnings"][0] and c["planning"] is None


def test_comparison_group_document_with_dates():
    out = ts.evaluate_experiment(comparison_group())
    (c,) = _comparisons(out)
    assert (c["arm"], c["control"]) == ("traités", "comparaison")
    assert c["difference"] == pytest.approx(5.400416666666656, rel=1e-9)
    # 6 treated units of 12: 924 assignments; the observed one and its mirror are the
    # most extreme, so p = 2 / 924 exactly.
    assert c["p_value"] == pytest.approx(2 / 924, rel=1e-12)
    assert c["randomization"] == {"assignments": 924, "exact": True, "smallest_p_value": pytest.approx(2 / 924)}
    assert c["difference_ci"][0] < 5.4 < c["difference_ci"][1] and c["difference_ci"][0] > 0
    assert c["group_means"]["periods"][0] == "2025-09-01" and len(c["group_means"]["treated"]) == 8
    assert c["pre_trends"]["treated_slope"] is not None
    assert c["verdict"] == "confirmed" and "tendances parallèles" in c["warnings"][0]
    json.dumps(out, allow_nan=False)


def test_portfolio_equals_single_evaluations_and_skips_missing_metrics():
    docs = [randomized(), three_arms(), before_after(), comparison_group()]
    docs[0]["iterations"].append({"number": 2, "results": [
        {"metric": "absence", "arm": "courrier", "n": 500, "successes": 90},
        {"metric": "absence", "arm": "sms", "n": 510, "successes": 70},
    ]})
    together = ts.evaluate_portfolio(docs)
    assert together == [ts.evaluate_experiment(d) for d in docs]
    second = together[0]["iterations"][1]
    assert second["number"] == 2 and [c["metric"] for c in second["comparisons"]] == ["absence"]
    assert ts.evaluate_portfolio([]) == []


def _two_arm(metric: dict, control: dict, arm: dict) -> dict:
    return {
        "experiment": {"slug": "essai", "design": "randomized"},
        "metrics": [{"key": "m", "direction": "decrease", "mde": 0.05, **metric}],
        "arms": [{"key": "a", "control": True, "share": 0.5}, {"key": "b", "share": 0.5}],
        "iterations": [{"number": 1, "results": [{"metric": "m", "arm": "a", **control},
                                                  {"metric": "m", "arm": "b", **arm}]}],
    }


def test_small_samples_are_flagged():
    out = ts.evaluate_experiment(_two_arm({"kind": "binary"}, {"n": 12, "successes": 3}, {"n": 11, "successes": 1}))
    warnings = out["iterations"][0]["comparisons"][0]["warnings"]
    assert any("Petit échantillon (11 unités" in w for w in warnings)
    big = ts.evaluate_experiment(_two_arm({"kind": "binary"}, {"n": 1200, "successes": 300}, {"n": 1100, "successes": 100}))
    assert not any("Petit échantillon" in w for w in big["iterations"][0]["comparisons"][0]["warnings"])


def test_a_breached_guardrail_is_said_first():
    doc = _two_arm({"kind": "binary", "role": "guardrail"}, {"n": 2000, "successes": 100}, {"n": 2000, "successes": 200})
    c = ts.evaluate_experiment(doc)["iterations"][0]["comparisons"][0]
    assert c["verdict"] == "guardrail_breached"
    assert c["warnings"][0].startswith("Garde-fou franchi")
