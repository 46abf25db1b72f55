"""Before/after and comparison group (issue 10, points 1, 2, 3, 11, 12): the methods
against independent computations, the Sicily example, the honest « too short », ISO
periods, scale invariance and the reduced calibration."""

from __future__ import annotations

import csv
import json
import math
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

import tal.stats as ts
from tal.stats import did, its
from tal.stats.periods import PeriodError, parse, positions

ROOT = Path(__file__).resolve().parents[2]
SICILY = list(csv.DictReader((ROOT / "tests" / "data" / "sicily-acute-coronary-events.csv").open(encoding="utf-8")))


def _ar1(rng, n, phi):
    e = rng.normal(size=n + 50)
    u = np.empty(n + 50)
    u[0] = e[0] / math.sqrt(1 - phi**2)
    for t in range(1, n + 50):
        u[t] = phi * u[t - 1] + e[t]
    return u[50:]


def _comparisons(out):
    return [c for it in out["iterations"] for c in it["comparisons"]]


# ------------------------------------------------------------- before / after, values


def test_its_is_the_reml_ar1_gls_computed_independently():
    """φ̂ maximises the restricted likelihood written with dense matrices, and the
    estimates and standard errors are statsmodels' GLS at that φ̂."""
    from scipy.optimize import minimize_scalar
    from statsmodels.regression.linear_model import GLS

    rng = np.random.default_rng(4)
    n, t0 = 30, 14
    y = 50 + 0.3 * np.arange(n) + 4 * (np.arange(n) >= t0) + 3 * _ar1(rng, n, 0.5)
    fit = ts.interrupted_time_series(y, t0)
    t = np.arange(n, dtype=float)
    x = np.column_stack([np.ones(n), t, (t >= t0), np.where(t >= t0, t - t0, 0.0)])

    def corr(phi):
        return phi ** np.abs(np.subtract.outer(t, t)) / (1 - phi**2)

    def minus_reml(phi):
        v_inv = np.linalg.inv(corr(phi))
        xvx = x.T @ v_inv @ x
        beta = np.linalg.solve(xvx, x.T @ v_inv @ y)
        r = y - x @ beta
        s2 = r @ v_inv @ r / (n - 4)
        return 0.5 * (np.linalg.slogdet(corr(phi) * s2)[1] + np.linalg.slogdet(xvx / s2)[1] + (n - 4))

    phi = minimize_scalar(minus_reml, bounds=(-0.9, 0.95), method="bounded", options={"xatol": 1e-9}).x
    assert fit["phi"] == pytest.approx(phi, abs=2e-4)
    ref = GLS(y, x, sigma=corr(fit["phi"])).fit()
    assert fit["level_change"]["estimate"] == pytest.approx(ref.params[2], rel=1e-7)
    assert fit["slope_change"]["se"] == pytest.approx(ref.bse[3], rel=1e-7)
    c = np.array([0, 0, 1, n - 1 - t0])
    assert fit["effect"]["estimate"] == pytest.approx(c @ ref.params, rel=1e-7)
    assert fit["effect"]["se"] == pytest.approx(math.sqrt(c @ ref.cov_params() @ c), rel=1e-7)
    assert 1 <= fit["effect"]["df"] <= n - 4
    assert fit["effect"]["low"] < fit["effect"]["estimate"] < fit["effect"]["high"]


def test_its_detects_a_real_change_and_covers_it():
    rng = np.random.default_rng(8)
    n, t0 = 48, 24
    y = 100 + 0.2 * np.arange(n) - 10 * (np.arange(n) >= t0) + _ar1(rng, n, 0.3)
    fit = ts.interrupted_time_series(y, t0)
    lev = fit["level_change"]
    assert lev["p_value"] < 0.001 and lev["low"] < -10 < lev["high"]


@pytest.mark.parametrize(("factor", "rel"), [(1e-12, 1e-6), (1e9, 1e-6)])
def test_its_does_not_depend_on_the_unit(factor, rel):
    rng = np.random.default_rng(2)
    y = 40 + 0.1 * np.arange(24) + rng.normal(0, 1, 24)
    a = ts.interrupted_time_series(y, 12)["effect"]
    b = ts.interrupted_time_series(y * factor, 12)["effect"]
    assert b["p_value"] == pytest.approx(a["p_value"], rel=rel)
    assert b["low"] == pytest.approx(a["low"] * factor, rel=rel) and b["df"] == pytest.approx(a["df"], rel=rel)


@pytest.mark.parametrize(("n", "t0"), [(11, 5), (12, 5), (20, 15), (4, 2)])
def test_its_too_short_gives_estimates_without_inference(n, t0):
    y = np.arange(n, dtype=float) + np.sin(np.arange(n))
    fit = ts.interrupted_time_series(y, t0)
    assert fit["too_short"] and math.isnan(fit["effect"]["p_value"]) and math.isnan(fit["effect"]["low"])
    assert math.isfinite(fit["effect"]["estimate"]) and len(fit["fitted"]) == n


def test_its_enough_periods_is_not_too_short():
    fit = ts.interrupted_time_series(np.sin(np.arange(12.0)), 6)
    assert not fit["too_short"] and 0 < fit["effect"]["p_value"] <= 1


# ------------------------------------------------------------- before / after, counts


def _sicily(seasonal: bool):
    months = [int(r["month"]) - 1 for r in SICILY]
    return ts.count_time_series([float(r["aces"]) for r in SICILY], [float(r["stdpop"]) for r in SICILY], 36,
                                seasons=months if seasonal else None, cycle=12 if seasonal else None)


def test_sicily_rate_ratios_match_the_published_tutorial():
    """Lopez Bernal, Cummins & Gasparrini 2017 (Int J Epidemiol 46:348), Sicily, smoking
    ban of January 2005, age-standardised population as offset, step change: the
    quasi-Poisson model without seasonality (model 2 of the paper's published code,
    gasparrini/2017_lopezbernal_IJE_codedata, Rcode.R) gives RR 0.894 (0.839–0.953);
    with two Fourier pairs over the 12 months (model 3, the paper's seasonally
    adjusted result) RR 0.885 (0.839–0.933)."""
    plain, seasonal = _sicily(False), _sicily(True)
    assert not plain["seasonal"] and seasonal["seasonal"]
    rr = plain["rate_ratio"]
    assert [round(rr[k], 3) for k in ("estimate", "low", "high")] == [0.894, 0.839, 0.953]
    rr = seasonal["rate_ratio"]
    assert [round(rr[k], 3) for k in ("estimate", "low", "high")] == [0.885, 0.839, 0.933]
    assert rr["p_value"] < 0.001
    assert seasonal["dispersion"] == pytest.approx(2.262, abs=1e-3)  # overdispersed: the scale matters


def test_the_tabac_sample_reads_the_rate_ratio_of_the_count_series():
    from tal.experiments import fileformat

    doc = fileformat.read(ROOT / "experiments" / "interdiction-tabac-syndromes-coronariens.toml")
    import msgspec

    out = ts.evaluate_experiment(msgspec.to_builtins(doc))
    counts = next(c for c in _comparisons(out) if c["metric"] == "taux-admissions")
    assert counts["kind"] == "rate" and counts["seasonal"] is True
    assert round(counts["ratio"], 3) == 0.885 and [round(x, 3) for x in counts["ratio_ci"]] == [0.839, 0.933]
    assert counts["arm_value"] / counts["control_value"] == pytest.approx(counts["ratio"])
    assert counts["std_error"] == pytest.approx(0.02703, abs=1e-5)
    assert counts["verdict"] == "confirmed" and "Fourier" in counts["method"]
    json.dumps(out, allow_nan=False)


def test_counts_are_checked():
    with pytest.raises(ts.StatsInputError, match="entiers positifs"):
        ts.count_time_series([1.5] * 14, [10.0] * 14, 7)
    with pytest.raises(ts.StatsInputError, match="strictement positive"):
        ts.count_time_series([1] * 14, [0.0] * 14, 7)


# ------------------------------------------------------------- comparison group


def _panel(rng, n_units, n_treated, effect=0.0, periods=6):
    units, pers, values = [], [], []
    for u in range(n_units):
        base = rng.normal(0, 3)
        for p in range(periods):
            units.append(f"u{u}")
            pers.append(f"2026-{p + 1:02d}")
            values.append(base + p + rng.normal() + (effect if u < n_treated and p >= 3 else 0.0))
    return units, pers, values, [f"u{u}" for u in range(n_treated)]


def test_randomization_p_value_is_the_enumeration_done_by_hand():
    rng = np.random.default_rng(3)
    units, periods, values, treated = _panel(rng, 7, 3, effect=1.5)
    fit = ts.difference_in_differences(units, periods, values, treated, "2026-04")
    y = np.array(values).reshape(7, 6)
    change = y[:, 3:].mean(axis=1) - y[:, :3].mean(axis=1)

    def did_of(group):
        mask = np.isin(np.arange(7), group)
        return change[mask].mean() - change[~mask].mean()

    all_groups = list(combinations(range(7), 3))
    observed = did_of([0, 1, 2])
    expected = sum(abs(did_of(g)) >= abs(observed) - 1e-12 for g in all_groups) / len(all_groups)
    assert fit["estimate"] == pytest.approx(observed, rel=1e-12)
    assert fit["p_value"] == pytest.approx(expected, rel=1e-12) and fit["exact"] and fit["assignments"] == 35
    # The interval is the set of effects the same test does not reject.
    d = np.array(change)
    mask = np.isin(np.arange(7), [0, 1, 2])
    draws = did.assignments(7, 3)
    for bound, inside in ((fit["low"], 1.0), (fit["high"], -1.0)):
        eps = 1e-6 * max(1.0, abs(bound))
        assert did.randomization_test(d, mask, draws, bound + inside * eps)[0] > 0.05
        assert did.randomization_test(d, mask, draws, bound - inside * eps)[0] <= 0.05


def test_many_assignments_use_a_fixed_seed_sample():
    rng = np.random.default_rng(9)
    units, periods, values, treated = _panel(rng, 26, 8)
    a = ts.difference_in_differences(units, periods, values, treated, "2026-04")
    b = ts.difference_in_differences(units, periods, values, treated, "2026-04")
    assert not a["exact"] and a["assignments"] == math.comb(26, 8)
    assert a["p_value"] == b["p_value"] and a["p_value"] >= 1 / (did.SAMPLE + 1)


@pytest.mark.parametrize(("n_units", "n_treated", "smallest"), [(6, 2, 1 / 15), (6, 3, 2 / 20), (5, 1, 1 / 5), (4, 3, 1 / 4)])
def test_too_few_units_says_so(n_units, n_treated, smallest):
    rng = np.random.default_rng(1)
    units, periods, values, treated = _panel(rng, n_units, n_treated, effect=50.0)
    fit = ts.difference_in_differences(units, periods, values, treated, "2026-04")
    assert fit["too_short"] and math.isnan(fit["p_value"]) and math.isnan(fit["low"])
    assert fit["smallest_p_value"] == pytest.approx(smallest) and fit["estimate"] == pytest.approx(50, abs=5)


def test_two_treated_of_eight_can_conclude():
    rng = np.random.default_rng(1)
    units, periods, values, treated = _panel(rng, 8, 2, effect=50.0)
    fit = ts.difference_in_differences(units, periods, values, treated, "2026-04")
    assert not fit["too_short"] and fit["p_value"] == pytest.approx(1 / 28)
    assert fit["low"] < 50 < fit["high"]


def test_panel_does_not_depend_on_the_unit():
    rng = np.random.default_rng(5)
    units, periods, values, treated = _panel(rng, 10, 4, effect=2.0)
    a = ts.difference_in_differences(units, periods, values, treated, "2026-04")
    b = ts.difference_in_differences(units, periods, [v * 1e-10 for v in values], treated, "2026-04")
    assert b["p_value"] == a["p_value"] and a["p_value"] < 0.05
    assert b["low"] == pytest.approx(a["low"] * 1e-10, rel=1e-6) and b["high"] == pytest.approx(a["high"] * 1e-10, rel=1e-6)


def test_a_unit_without_periods_before_is_refused():
    with pytest.raises(ts.StatsInputError, match="« c » n'a aucune valeur avant"):
        ts.difference_in_differences(["a", "a", "b", "b", "c"], [1, 2, 1, 2, 2], [1, 2, 3, 4, 5.0], ["a"], 2)


# ------------------------------------------------------------- periods


def test_periods_are_parsed_and_ordered_as_periods():
    assert parse("2025-07") < parse("2025-10") < parse("2026-01")
    assert parse("9")[1] < parse("10")[1] and parse(12) == ("number", 12)
    assert parse("2025-W52")[1] + 1 == parse("2026-W01")[1]
    assert parse("2020-W53")[1] + 1 == parse("2021-W01")[1]
    assert parse("2026-01-31")[1] + 1 == parse("2026-02-01")[1]
    kind, pos, target = positions(["2026-02", "2025-12", "2026-01"], "2026-01")
    assert kind == "month" and pos[1] < target < pos[0]


@pytest.mark.parametrize(("label", "message"), [
    ("2025-7", "non reconnue"), ("juillet 2025", "non reconnue"), ("2025-13", "impossible"),
    ("2021-W53", "impossible"), ("2026-02-30", "impossible"), ("T1 2026", "non reconnue"),
])
def test_anything_else_is_refused(label, message):
    with pytest.raises(PeriodError, match=message):
        parse(label)


def test_mixed_forms_are_refused_with_their_position():
    with pytest.raises(PeriodError) as err:
        positions(["2026-01", "2026-02", "2026-03-01"])
    assert err.value.index == 2 and "même forme" in str(err.value)


def test_panel_months_sort_in_time_not_as_text():
    """Issue 10, point 11: periods 2025-07 … 2026-06 with the change in 2026-01.
    Sorted as text, unpadded months put 2025-10 before 2025-7: now they are refused,
    and ISO months sort in time order."""
    rng = np.random.default_rng(11)
    months = [f"{2025 + (m + 6) // 12}-{(m + 6) % 12 + 1:02d}" for m in range(12)]
    units, periods, values = [], [], []
    for u in range(8):
        for i, month in enumerate(months):
            units.append(f"c{u}")
            periods.append(month)
            values.append(rng.normal() + (2.0 if u < 3 and i >= 6 else 0.0))
    order = list(range(len(values)))
    rng.shuffle(order)
    fit = ts.difference_in_differences([units[i] for i in order], [periods[i] for i in order],
                                       [values[i] for i in order], ["c0", "c1", "c2"], "2026-01")
    assert fit["group_means"]["periods"] == months
    assert fit["estimate"] == pytest.approx(2.0, abs=0.6)
    with pytest.raises(ts.StatsInputError, match="« 2025-7 » non reconnue"):
        ts.difference_in_differences(units, [p.replace("-07", "-7") for p in periods], values, ["c0"], "2026-01")


def test_series_periods_are_sorted_and_gaps_count():
    doc = {"experiment": {"slug": "s", "design": "before_after"},
           "metrics": [{"key": "m", "kind": "mean", "direction": "increase", "mde": 1.0}],
           "iterations": [{"number": 1, "series": [{
               "metric": "m", "intervention_at": "2026-01",
               "periods": ["2026-03", "2025-12", "2026-01", "2025-09", "2025-10", "2025-11", "2026-02",
                           "2025-08", "2026-04", "2026-05", "2026-06", "2026-07", "2025-07", "2025-06"],
               "values": [13.0, 10.0, 11.0, 7.0, 8.0, 9.0, 12.0, 6.0, 14.0, 15.0, 16.0, 17.0, 5.0, 4.0]}]}]}
    (c,) = _comparisons(ts.evaluate_experiment(doc))
    assert c["periods"][0] == "2025-06" and c["periods"][-1] == "2026-07"
    assert c["level_change"]["estimate"] == pytest.approx(0.0, abs=1e-9)  # a straight line once sorted
    doc["iterations"][0]["series"][0]["periods"][0] = "mars 2026"
    with pytest.raises(ts.StatsInputError, match=r"« mars 2026 » non reconnue.*periods\[1\]"):
        ts.evaluate_experiment(doc)


def test_a_file_with_a_bad_period_names_its_key_path():
    from tal.core.errors import DomainError
    from tal.experiments import fileformat

    text = (ROOT / "experiments" / "collecte-biodechets-porte-a-porte.toml").read_text(encoding="utf-8")
    first = text.index('"2025-', text.index("periods = ["))
    bad = text[:first] + '"juillet 2025"' + text[text.index('"', first + 1) + 1:]
    with pytest.raises(DomainError) as caught:
        fileformat.parse(bad, "bio.toml")
    assert caught.value.field == "bio.toml : iterations[1].panel[1].periods[1]"
    assert "« juillet 2025 » non reconnue" in caught.value.message


# ------------------------------------------------------------- in the evaluation and its words


def test_too_short_reaches_the_json_and_the_sentence():
    from tal.evaluation.sentences import Phrase
    from tal.i18n import translations

    doc = {"experiment": {"slug": "s", "design": "comparison_group"},
           "metrics": [{"key": "m", "kind": "mean", "direction": "decrease", "mde": 1.0}],
           "iterations": [{"number": 1, "panel": [{
               "metric": "m", "intervention_at": "2026-04", "treated_units": ["u0", "u1"],
               **dict(zip(("units", "periods", "values"), _panel(np.random.default_rng(2), 6, 2, -5.0)[:3]))}]}]}
    (c,) = _comparisons(ts.evaluate_experiment(doc))
    assert c["verdict"] == "too_short" and c["p_value"] is None and c["difference"] == pytest.approx(-5, abs=2)
    assert c["too_short"] == {"treated_units": 2, "comparison_units": 4, "smallest_p_value": pytest.approx(1 / 15),
                              "alpha": 0.05}
    fr = Phrase(translations("fr").gettext, "fr").sentence(c, "Tonnage", "", "")
    en = Phrase(translations("en").gettext, "en").sentence(c, "Tonnage", "", "")
    assert "Trop peu d'unités pour conclure" in fr and "0,067" in fr and "Pas de verdict" in fr
    assert "Too few units to conclude" in en and "0.067" in en and "No verdict" in en


def test_short_series_sentence_says_what_is_needed():
    from tal.evaluation.sentences import Phrase
    from tal.i18n import translations

    c = {"kind": "mean", "arm": "après", "verdict": "too_short", "difference": 1.0,
         "too_short": {"periods_before": 8, "periods_after": 4, "periods_needed": 12, "per_side_needed": 6}}
    fr = Phrase(translations("fr").gettext, "fr").sentence(c, "Appels", "", "")
    assert "8 période(s) avant le changement et 4 après" in fr and "au moins 6 de chaque côté" in fr
    en = Phrase(translations("en").gettext, "en").sentence(c, "Appels", "", "")
    assert "Series too short to conclude: 8 period(s) before" in en


# ------------------------------------------------------------- calibration (reduced)


def test_reduced_calibration_keeps_the_error_rates():
    """The reduced run of benchmarks/calibration.py (fixed seed): every false effect rate
    and coverage within bounds a little wider than the targets (400 runs per figure)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import calibration as package  # noqa: F401  (the package, benchmarks/calibration/)
        from calibration import before_after, comparison_group
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    rows = before_after.rows(True, 7) + comparison_group.rows(True, 7)
    assert {r["design"] for r in rows} == {"before_after", "comparison_group"}
    for r in rows:
        assert set(r) == {"design", "setting", "measure", "value", "target", "ok"}
        if "false" in r["measure"]:
            assert r["value"] <= 0.09, r
        elif "coverage" in r["measure"]:
            assert r["value"] >= 0.91, r
        else:
            assert r["measure"] == "too_short share" and r["value"] == 1.0 and r["setting"].startswith("2 treated of 6")


def _tabac_with(old: str, new: str) -> str:
    text = (ROOT / "experiments" / "interdiction-tabac-syndromes-coronariens.toml").read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(("old", "new", "path", "message"), [
    ('key = "taux-admissions"\nhypothesis = "h1"\nlabel = "Admissions pour syndrome coronarien aigu par habitant '
     '(population standardisée), par mois"\nkind = "rate"', None, "iterations[1].series[2].exposure",
     "ne s'applique qu'à un indicateur «\u202frate\u202f»"),
    ("exposure = [\n  379875.3,", "exposure = [\n", "iterations[1].series[2].exposure", "58 expositions pour 59 valeurs"),
    ("exposure = [\n  379875.3,", "exposure = [\n  -1.0,", "iterations[1].series[2].exposure[1]", "supérieur à 0"),
    ('intervention_at = "2005-01"\n\n[iterations.learning]', 'intervention_at = "2005-1"\n\n[iterations.learning]',
     "iterations[1].series[2].intervention_at", "« 2005-1 » non reconnue"),
])
def test_count_series_in_a_file_are_checked_with_their_key_path(old, new, path, message):
    from tal.core.errors import DomainError
    from tal.experiments import fileformat

    if new is None:  # the count series on a metric that is not a rate
        new = old.replace('kind = "rate"', 'kind = "mean"')
    with pytest.raises(DomainError) as caught:
        fileformat.parse(_tabac_with(old, new), "tabac.toml")
    assert caught.value.field == f"tabac.toml : {path}"
    assert message in caught.value.message


def test_a_file_may_number_its_periods_with_integers():
    import msgspec

    from tal.experiments import fileformat

    text = (ROOT / "experiments" / "interdiction-tabac-syndromes-coronariens.toml").read_text(encoding="utf-8")
    start = text.index("periods = [", text.index('metric = "admissions"'))
    text = text[:start] + "periods = [" + ", ".join(str(k) for k in range(1, 60)) + text[text.index("]", start):]
    text = text.replace('intervention_at = "2005-01"\nhac_maxlags = 3', "intervention_at = 37\nhac_maxlags = 3", 1)
    doc = fileformat.parse(text, "entiers.toml")
    assert doc.iterations[0].series[0].periods[:2] == [1, 2] and fileformat.parse(fileformat.dumps(doc)) == doc
    by_month = _comparisons(ts.evaluate_experiment(msgspec.to_builtins(fileformat.read(
        ROOT / "experiments" / "interdiction-tabac-syndromes-coronariens.toml"))))[0]
    (numbered, _) = _comparisons(ts.evaluate_experiment(msgspec.to_builtins(doc)))
    assert numbered["periods"][:2] == ["1", "2"] and numbered["difference"] == pytest.approx(by_month["difference"])
