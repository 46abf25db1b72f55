"""Bad input raises StatsInputError (a ValueError) with a French message naming where."""

from __future__ import annotations

import pytest

import tal.stats as ts
from docs_stats import before_after, comparison_group, randomized
from tal.stats import StatsInputError


def _row(doc, metric, arm):
    return next(r for r in doc["iterations"][0]["results"] if r["metric"] == metric and r["arm"] == arm)


@pytest.mark.parametrize(
    ("metric", "arm", "change", "words"),
    [
        ("absence", "sms", {"successes": 2000}, "dépasse l'effectif"),
        ("absence", "courrier", {"successes": -1}, "négatif"),
        ("absence", "sms", {"n": 0}, "strictement positif"),
        ("attente", "sms", {"sd": -1.0}, "écart-type"),
        ("plaintes", "courrier", {"exposure": 0.0}, "exposition"),
        ("plaintes", "sms", {"events": -2}, "négatif"),
        ("satisfaction", "sms", {"counts": [1, 2, 3]}, "3 comptages pour 5 niveaux"),
        ("absence", "sms", {"n": "beaucoup"}, "non numérique"),
    ],
)
def test_bad_results_name_metric_arm_iteration(metric, arm, change, words):
    doc = randomized()
    _row(doc, metric, arm).update(change)
    with pytest.raises(StatsInputError) as err:
        ts.evaluate_experiment(doc)
    msg = str(err.value)
    assert isinstance(err.value, ValueError)
    assert words in msg
    assert f"« {metric} »" in msg and f"bras « {arm} »" in msg and "itération 1" in msg
    assert err.value.metric == metric and err.value.arm == arm and err.value.iteration == 1


def test_kernel_errors_without_context_name_the_comparison():
    with pytest.raises(StatsInputError, match=r"dépasse l'effectif n \(5\).*comparaison n° 2"):
        ts.compare_binary([1, 1], [5, 5], [2, 6], [5, 5])
    with pytest.raises(StatsInputError, match="même longueur"):
        ts.compare_ordinal([[1, 2]], [[1, 2], [3, 4]])
    with pytest.raises(ValueError):
        ts.compare_binary([1, 2, 3], [5, 5], [1, 2, 3], [5, 5, 5])  # mismatched lengths


def test_short_series_and_intervention_outside():
    doc = before_after()
    s = doc["iterations"][0]["series"][0]
    s["intervention_at"] = "2026-12"  # one point after: no verdict, not an error
    (c,) = ts.evaluate_experiment(doc)["iterations"][0]["comparisons"]
    assert c["verdict"] == "too_short" and c["p_value"] is None and c["difference_ci"] is None
    assert c["too_short"] == {"periods_before": 23, "periods_after": 1, "periods_needed": 12, "per_side_needed": 6}
    s["intervention_at"] = "2031-01"
    with pytest.raises(StatsInputError, match="en dehors de la série") as err:
        ts.evaluate_experiment(doc)
    assert "« appels »" in str(err.value) and "itération 1" in str(err.value)
    s["intervention_at"] = "2026-01"
    s["values"] = s["values"][:-1]
    with pytest.raises(StatsInputError, match="même longueur"):
        ts.evaluate_experiment(doc)


def test_panel_without_treated_or_comparison_units():
    doc = comparison_group()
    p = doc["iterations"][0]["panel"][0]
    p["treated_units"] = sorted(set(p["units"]))
    with pytest.raises(StatsInputError, match="aucune unité de comparaison") as err:
        ts.evaluate_experiment(doc)
    assert "« prets »" in str(err.value)
    p["treated_units"] = ["Bibliothèque fantôme"]
    with pytest.raises(StatsInputError, match="absentes du panel"):
        ts.evaluate_experiment(doc)
    p["treated_units"] = []
    with pytest.raises(StatsInputError, match="aucune unité traitée"):
        ts.evaluate_experiment(doc)
    doc = comparison_group()
    doc["iterations"][0]["panel"][0]["values"].pop()
    with pytest.raises(StatsInputError, match="même longueur"):
        ts.evaluate_experiment(doc)


def test_bad_plan():
    doc = randomized()
    doc["metrics"][0]["direction"] = "up"
    with pytest.raises(StatsInputError, match="direction"):
        ts.evaluate_experiment(doc)
    doc = randomized()
    doc["experiment"]["design"] = "cohort"
    with pytest.raises(StatsInputError, match="plan d'expérience inconnu"):
        ts.evaluate_experiment(doc)
    doc = randomized()
    doc["iterations"][0]["results"][0]["arm"] = "fax"
    with pytest.raises(StatsInputError, match="bras inconnu"):
        ts.evaluate_experiment(doc)
