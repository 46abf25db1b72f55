"""The experiment charts: full labels (wrapped, never cut), labelled reference lines,
numbers in the page's language, a drawing narrow enough for a phone."""

from __future__ import annotations

import html
import re

from tal.core.text import wrap
from tal.evaluation import charts
from tal.evaluation.sentences import Phrase


def _texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg)]


def test_arm_labels_are_wrapped_whole_so_that_similar_arms_can_be_told_apart():
    rows = [("Facture et SMS de rappel avant l'échéance du paiement", -2.1, -3.0, -1.2),
            ("Facture et courriel de rappel avant l'échéance du paiement", -1.5, -2.6, -0.4)]
    svg = str(charts.intervals("t", "d", rows, 0.0, [-1.0], lambda v: f"{v:.1f}", reference_label="aucun effet",
                               margin_label="effet minimal visé", colon="\u202f: "))
    joined = " ".join(_texts(svg))
    assert "Facture et SMS de rappel avant l'échéance du paiement\u202f: -2.1" in joined
    assert "Facture et courriel de rappel avant l'échéance du paiement\u202f: -1.5" in joined
    assert "…" not in joined
    assert all(len(t) <= 60 for t in _texts(svg))
    assert "aucun effet\u202f: 0.0" in joined and "effet minimal visé\u202f: -1.0" in joined
    assert 'viewBox="0 0 320 ' in svg


def test_wrap_cuts_between_words():
    assert wrap("un deux trois quatre", 9) == ["un deux", "trois", "quatre"]
    assert wrap("anticonstitutionnellement", 5) == ["anticonstitutionnellement"]


def test_line_chart_axes_speak_the_page_language():
    phrase = Phrase(lambda s: s, "fr")
    svg = str(charts.lines("t", "d", ["2025-01", "2025-02", "2025-03"],
                           [("fit", "tendance ajustée", [19.83, 18.2, -1.5])], marker=1,
                           fmt=lambda v: phrase.num(v, 2), marker_label="changement", colon="\u202f: "))
    texts = _texts(svg)
    assert "19,83" in texts and "\u22121,50" in texts
    assert not any(re.search(r"\d\.\d", t) for t in texts)
    assert "changement\u202f: 2025-02" in texts


def test_periods_and_dates_in_words():
    import datetime as dt

    from tal import i18n

    assert i18n.format_period("2026-11", "fr") == "novembre 2026" and i18n.format_period("2026-11", "en") == "November 2026"
    assert i18n.format_period("2026-11", "fr", short=True) == "nov. 2026"
    assert i18n.format_period("2026-W05", "fr") == "semaine 5 de 2026" and i18n.format_period("2026-W05", "en") == "week 5 of 2026"
    assert i18n.format_period("2026", "fr") == "2026" and i18n.format_period(37, "fr") == "37"
    assert i18n.format_date(dt.date(2026, 3, 1), "fr") == "1er mars 2026"
    assert i18n.format_date(dt.date(2026, 3, 11), "fr") == "11 mars 2026"
    assert i18n.format_date(dt.date(2026, 3, 1), "en") == "March 1, 2026"


def _zone(svg: str) -> tuple[float, float, float]:
    """The shaded harm zone (x start, x end) and the dotted threshold line's x."""
    rect = re.search(r'<rect class="harm-zone" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    line = re.search(r'<line class="mde" x1="([\d.]+)"', svg)
    assert rect and line, svg
    return float(rect.group(1)), float(rect.group(1)) + float(rect.group(2)), float(line.group(1))


def _guardrail_chart(direction: str, lang: str = "fr"):
    import msgspec

    from conftest import SAMPLES
    from tal.evaluation.present import present
    from tal.evaluation.services import evaluate_many
    from tal.experiments import fileformat
    from tal.i18n import translations

    doc = fileformat.read(SAMPLES / "rappel-sms-etat-civil.toml")
    doc = msgspec.structs.replace(doc, metrics=[msgspec.structs.replace(m, direction=direction) if m.key == "appels" else m
                                                for m in doc.metrics])
    [(result, error)] = evaluate_many([doc])
    assert error is None
    views = present(result, doc, translations(lang).gettext, lang)
    (chart,) = [svg for caption, svg in views[0].charts if "Appels pour modifier" in caption]
    (comparison,) = [c for c in views[0].comparisons if c.raw["metric"] == "appels"]
    return str(chart), comparison.raw


def test_a_guardrail_threshold_and_its_shaded_zone_are_on_the_side_of_harm():
    # « appels » should go down: harm is more calls, a rate ratio above 1, on the right.
    svg, raw = _guardrail_chart("decrease")
    start, end, threshold = _zone(svg)
    reference = float(re.search(r'<line class="ref" x1="([\d.]+)"', svg).group(1))
    assert threshold > reference and start == threshold and end == charts.WIDTH - charts.RIGHT
    texts = " ".join(_texts(svg))
    margin = 1 + raw["mde"] / raw["control_value"]
    assert f"seuil de dégradation\u202f: {Phrase(lambda s: s, 'fr').num(margin, 2)}" in texts
    assert "effet minimal visé" not in svg and "zone ombrée est celle où l'indicateur se dégrade" in html.unescape(svg)
    # Had it been expected to rise, harm would be fewer calls: left of no effect.
    svg, _ = _guardrail_chart("increase")
    start, end, threshold = _zone(svg)
    reference = float(re.search(r'<line class="ref" x1="([\d.]+)"', svg).group(1))
    assert threshold < reference and start == charts.LEFT and end == threshold
    # In English too.
    svg, _ = _guardrail_chart("decrease", "en")
    assert "harm threshold: " in " ".join(_texts(svg)) and "where the metric gets worse" in svg


def test_a_primary_metric_has_no_harm_zone_and_its_mde_on_the_predicted_side():
    rows = [("SMS", -2.1, -3.0, -1.2)]
    svg = str(charts.intervals("t", "d", rows, 0.0, [-1.0], lambda v: f"{v:.1f}", margin_label="effet minimal visé"))
    assert "harm-zone" not in svg
    svg = str(charts.intervals("t", "d", rows, 0.0, [1.0], lambda v: f"{v:.1f}", harm=1))
    start, end, threshold = _zone(svg)
    assert start == threshold and end == charts.WIDTH - charts.RIGHT
