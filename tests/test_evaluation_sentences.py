"""Issue 10, points 6, 10, 13 and 14: the sentences, the text report and the page say
what the numbers say, in correct French (and complete English)."""

from __future__ import annotations

from conftest import SAMPLES, text_of
from tal import db, loader
from tal.evaluation.cli import _file, text_report
from tal.evaluation.present import engine_warnings, present
from tal.evaluation.sentences import Phrase
from tal.experiments import fileformat
from tal.i18n import translations
from tal.stats import evaluate as engine
from tal.stats import observational

NNBSP = "\u202f"
FR = Phrase(translations("fr").gettext, "fr")
EN = Phrase(translations("en").gettext, "en")


def flat(text: str) -> str:
    return " ".join(text.split())


def test_numbers_in_french():
    assert FR.num(-3.4, 1) == "−3,4" and FR.num(-0.04, 1) == "0,0" and FR.num(-0.0, 2) == "0,00"
    assert FR.p_value(0.00001) == "p < 0,0001" and FR.p_value(0.0123) == "p = 0,0123"
    assert FR.points(1.2) == "1,2 point de pourcentage" and FR.points(5.1) == "5,1 points de pourcentage"
    assert FR.units(1) == "1 unité" and FR.units(3) == "3 unités"
    assert FR.pct(0.124) == f"12,4{NNBSP}%"
    assert FR.sig(0.000123456) == "0,000123" and FR.sig(1234.5) == f"1{NNBSP}234"
    assert EN.points(1.2) == "1.2 percentage points" and EN.points(1) == "1.0 percentage point"
    assert EN.p_value(0.00001) == "p < 0.0001" and EN.pct(0.124) == "12.4%" and EN.units(1) == "1 unit"


def before_after(kind: str, arm: float, control: float, verdict: str) -> dict:
    diff = arm - control
    return {"metric": "m", "role": "primary", "kind": kind, "arm": "après", "control": "avant", "alpha": 0.05,
            "arm_value": arm, "control_value": control, "difference": diff,
            "difference_ci": [diff - abs(diff) / 2, diff + abs(diff) / 2], "verdict": verdict, "interim": False}


def test_before_after_on_a_proportion_reads_in_percentages():
    sentence = FR.sentence(before_after("binary", 0.09, 0.12, "confirmed"), "taux", "après", "avant")
    assert f"9,0{NNBSP}%" in sentence and f"12,0{NNBSP}%" in sentence and "−3,0 points de pourcentage" in sentence
    assert "0,1 " not in sentence and "-0,0" not in sentence and "−0,0" not in sentence


def test_before_after_keeps_three_significant_digits():
    sentence = FR.sentence(before_after("mean", 0.000112, 0.000131, "inconclusive"), "délai", "après", "avant")
    assert "0,000112" in sentence and "0,000131" in sentence and "−0,000019 (entre −0,000029 et −0,000010" in sentence


def test_observational_designs_never_say_confirmed_bare():
    for arm in ("après", "traités"):
        c = before_after("mean", 5.0, 8.0, "confirmed") | {"arm": arm}
        sentence = FR.sentence(c, "m", arm, "x")
        assert "L'hypothèse est confirmée" not in sentence
        assert "compatibles avec l'hypothèse" in sentence and "ne permet pas d'exclure d'autres causes" in sentence
        assert "cannot rule out other causes" in EN.sentence(c, "m", arm, "x")


def test_text_report_of_the_imbalanced_sample_is_french_and_says_it_once():
    doc, result, error = _file(SAMPLES / "visio-rendez-vous-urbanisme.toml")
    out = text_report(doc, result)
    assert error is None
    assert out.count("SRM") + out.count("DÉSÉQUILIBRE") == 1
    assert f"p < 0,0001" in flat(out) and "= <" not in out and "p = 0 " not in out
    for english in ("randomized", "(primary)", "(guardrail)", "pooled z-test", "Welch t-test"):
        assert english not in out
    assert "Randomisée" in out and "(Principal)" in out and "test z de deux proportions" in out
    assert " -" not in out.replace(" - [", "")  # the minus sign, not a hyphen


def test_engine_warnings_go_through_the_catalogue():
    c = {"warnings": [], "warning_templates": []}
    engine.warn(c, engine.SMALL_SAMPLE_WARNING_ONE, n=1)
    c["warnings"].append(observational.BEFORE_AFTER_WARNING)  # constant texts translate as they are
    english = engine_warnings(c, translations("en").gettext)
    assert english[0].startswith("Small sample (1 unit in the smallest arm)")
    assert english[1].startswith("A before/after design cannot separate")
    assert engine_warnings(c, translations("fr").gettext)[0].startswith("Petit échantillon (1 unité dans")


def separated_sample(tmp_path):
    text = (SAMPLES / "rappel-sms-etat-civil.toml").read_text(encoding="utf-8")
    text = text.replace('slug = "rappel-sms-etat-civil"', 'slug = "rappel-sms-separe"')
    text = text.replace("counts = [18, 41, 152, 109]", "counts = [30, 0, 0, 0]")
    text = text.replace("counts = [12, 30, 148, 141]", "counts = [0, 0, 0, 30]")
    path = tmp_path / "separe.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_separated_ordinal_answers_in_text_and_charts(tmp_path):
    doc, result, error = _file(separated_sample(tmp_path))
    assert error is None
    out = flat(text_report(doc, result))
    assert "test exact des signes" in out and "totalement séparées" in out
    views = present(result, doc, translations("fr").gettext, "fr")
    (satisfaction,) = [c for c in views[0].comparisons if c.raw["metric"] == "satisfaction"]
    assert satisfaction.raw["probability_of_superiority_ci"][1] == 1.0
    assert any("Satisfaction" in caption for caption, _ in views[0].charts)


async def test_separated_ordinal_page_renders(client, samples, tmp_path):
    doc = fileformat.read(separated_sample(tmp_path))
    async with db.transaction():
        await loader.load_documents([doc])
    response = await client.get("/experimentations/rappel-sms-separe")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Réponses des deux bras totalement séparées" in page and "Satisfaction à la sortie du guichet" in page
    assert "L'intervalle donné avec chaque conclusion est celui dont elle se lit" in page


def test_plan_sizes_only_for_randomized_designs_at_the_adjusted_alpha():
    import msgspec

    from tal.evaluation.present import sample_sizes
    from tal.stats import sample_size_binary

    for path in sorted(SAMPLES.glob("*.toml")):
        doc = fileformat.read(path)
        if doc.experiment.design != "randomized":
            assert sample_sizes(doc) == {}, path.stem  # no per-arm size for these designs
    doc = fileformat.read(SAMPLES / "relance-factures-cantine.toml")
    compared = sum(1 for a in doc.arms if not a.control)
    primaries = sum(1 for m in doc.metrics if m.role == "primary")
    (metric,) = [m for m in doc.metrics if m.role == "primary" and m.kind == "binary" and m.baseline is not None]
    alpha = metric.alpha / (compared * primaries)
    assert compared * primaries > 1
    expected = int(sample_size_binary(metric.baseline, metric.mde, 1 if metric.direction == "increase" else -1,
                                      alpha, metric.power)[0])
    assert sample_sizes(doc)[metric.key] == expected
    ordinal = msgspec.structs.replace(doc, metrics=[msgspec.structs.replace(metric, kind="ordinal", mde=0.1)])
    assert sample_sizes(ordinal)[metric.key] > 0


def test_more_units_is_for_the_planned_power_not_a_promise():
    c = before_after("binary", 0.2, 0.18, "inconclusive") | {
        "arm": "b", "control": "a", "planning": {"more_units_needed": 1, "power": 0.8, "unit": "units"}}
    sentence = FR.sentence(c, "m", "B", "A")
    assert f"Pour une puissance de 80{NNBSP}%, il faudrait environ 1 unité de plus par bras" in sentence
    assert "pas la promesse de conclure" in sentence and "pour conclure." not in sentence


async def test_the_imbalance_is_said_once_on_the_page(client, samples, accounts):
    await client.login("agent")
    page = text_of((await client.get("/experimentations/visio-rendez-vous-urbanisme")).text)
    assert page.count("Déséquilibre entre les bras") == 1 and "(SRM, p < 0,001)" not in page
    assert "(p < 0,0001)" in page and "p = 0 " not in page


def test_values_under_a_millionth_keep_their_significant_digits():
    """A panel in units of 10⁻¹⁰ read « évolué de 0,00000000 … (entre 0,00000000 et
    0,00000000) »: under 10⁻⁶ the values share a power of ten and keep three digits."""
    fmt = FR.scaled(-2.346e-10, 2.4e-12, -2.37e-10, -2.55e-10, -2.14e-10)
    assert fmt(-2.346e-10) == "−2,35\u202f×\u202f10⁻¹⁰" and fmt(2.4e-12) == "0,02\u202f×\u202f10⁻¹⁰"
    assert fmt(0.0) == "0,00" and fmt(None) == "—"
    assert EN.scaled(8.15e-10)(8.15e-10) == "8.15\u202f×\u202f10⁻¹⁰"
    assert FR.scaled(0.243, 0.0001)(0.243) == "0,243" and FR.sig(2.5e-7) == "2,50\u202f×\u202f10⁻⁷"
    c = {"kind": "mean", "arm": "concernées", "control": "comparaison", "arm_value": -2.346e-10,
         "control_value": 2.4e-12, "difference": -2.37e-10, "difference_ci": [-2.55e-10, -2.14e-10],
         "ratio": None, "ratio_ci": None, "confidence": 0.95, "design": "comparison_group"}
    text = FR.sentence(c, "Déchets", "concernées", "comparaison")
    assert "0,00000000" not in text and "−2,55\u202f×\u202f10⁻¹⁰" in text
