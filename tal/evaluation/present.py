"""The evaluation as pages show it: per iteration, a sentence, a verdict, the figures,
the warnings and a chart for each comparison."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from markupsafe import Markup

from tal.evaluation import charts, services
from tal.i18n import format_period, translations
from tal.evaluation.sentences import Phrase, method_label, verdict_label
from tal.experiments import extensions
from tal.experiments.schemas import ExperimentFile


# The sample-ratio mismatch is shown once, above the iteration's results.
SRM_TEXT = "Déséquilibre de répartition entre les bras (SRM"


@dataclass
class ComparisonView:
    raw: dict
    metric: str
    arm: str
    control: str
    sentence: str
    verdict: str
    warnings: list[str] = field(default_factory=list)
    method: str = ""
    p_text: str = ""


@dataclass
class IterationView:
    number: int
    srm: dict | None
    warnings: list[str]
    srm_p: str = ""
    comparisons: list[ComparisonView] = field(default_factory=list)
    charts: list[tuple[str, Markup]] = field(default_factory=list)  # (caption, svg)


def _sign(direction: str) -> int:
    return 1 if direction == "increase" else -1


def present(result: dict, doc: ExperimentFile, gettext: Callable[[str], str], lang: str) -> list[IterationView]:
    _ = gettext
    phrase = Phrase(gettext, lang)
    metrics = {m.key: m for m in doc.metrics}
    arms = {a.key: a.label for a in doc.arms}
    fixed = {"après": _("après le changement"), "avant": _("avant"), "traités": _("unités concernées"),
             "comparaison": _("unités de comparaison")}
    views = []
    for it in result.get("iterations", []):
        srm = it.get("srm")
        view = IterationView(it["number"], srm, [w for w in engine_warnings(it, _) if not _is_srm(w, srm)],
                             phrase.typography(phrase.p_value(srm["p_value"])) if srm else "")
        by_metric: dict[str, list[ComparisonView]] = {}
        for c in it.get("comparisons", []):
            metric = metrics[c["metric"]].label if c["metric"] in metrics else c["metric"]
            arm = arms.get(c["arm"]) or fixed.get(c["arm"], c["arm"] or "")
            control = arms.get(c["control"]) or fixed.get(c["control"], c["control"] or "")
            warnings = [w for w in engine_warnings(c, _) if not _is_srm(w, srm) and w not in view.warnings]
            cv = ComparisonView(c, metric, arm, control, phrase.sentence(c, metric, arm, control),
                                phrase.typography(verdict_label(c, _)), warnings, method_label(c.get("method"), _),
                                phrase.typography(phrase.p_value(c.get("p_value_adjusted"))))
            view.comparisons.append(cv)
            by_metric.setdefault(c["metric"], []).append(cv)
        source = next((i for i in doc.iterations if i.number == it["number"]), None)
        for key, comparisons in by_metric.items():
            series = next((s for s in source.series if s.metric == key), None) if source else None
            panel = next((p for p in source.panel if p.metric == key), None) if source else None
            chart = _chart(comparisons, series, panel, phrase)
            if chart is not None:
                view.charts.append(chart)
        views.append(view)
    return views


def engine_warnings(item: dict, gettext: Callable[[str], str]) -> list[str]:
    """The engine's warnings of a comparison or an iteration, translated: through their
    template and parameters when the engine gave them, else the French text itself."""
    templates = {template % params if params else template: (template, params)
                 for template, params in item.get("warning_templates") or []}
    out = []
    for text in item.get("warnings") or []:
        template, params = templates.get(text, (text, None))
        out.append(gettext(template) % params if params else gettext(template))
    return out


def _is_srm(warning: str, srm: dict | None) -> bool:
    """A comparison's copy of the SRM warning, when the iteration shows its SRM block."""
    return bool(srm and srm.get("mismatch")) and (warning.startswith(SRM_TEXT) or "(SRM" in warning)


def _chart(comparisons: list[ComparisonView], series, panel, phrase: Phrase) -> tuple[str, Markup] | None:
    _ = phrase._
    first = comparisons[0].raw
    description = " ".join(c.sentence for c in comparisons)
    if first["arm"] == "après" and first.get("fitted") and series is not None:
        periods = first["periods"]
        marker = periods.index(str(series.intervention_at)) if str(series.intervention_at) in periods else None
        counterfactual = [v if marker is not None and i >= marker else None for i, v in enumerate(first["counterfactual"])]
        fitted_before = [v if marker is None or i < marker else None for i, v in enumerate(first["fitted"])]
        fitted_after = [v if marker is not None and i >= marker else None for i, v in enumerate(first["fitted"])]
        title = _("%(metric)s\u202f: série, tendances ajustées et tendance sans changement") % {"metric": comparisons[0].metric}
        return title, charts.lines(
            title, description, [format_period(p, phrase.lang, short=True) for p in periods],
            [("fit", _("tendance ajustée"), fitted_before), ("fit-after", _("après le changement"), fitted_after),
             ("counterfactual", _("sans le changement"), counterfactual)],
            marker, points=_observed(series, periods), fmt=_axis(phrase, first["fitted"]),
            marker_label=_("changement"), colon=_colon(phrase),
        )
    if first["arm"] == "traités" and first.get("group_means") and panel is not None:
        means = first["group_means"]
        periods = [str(p) for p in means["periods"]]
        marker = periods.index(str(panel.intervention_at)) if str(panel.intervention_at) in periods else None
        title = _("%(metric)s\u202f: moyenne de chaque groupe par période") % {"metric": comparisons[0].metric}
        return title, charts.lines(
            title, description, [format_period(p, phrase.lang, short=True) for p in means["periods"]],
            [("treated", _("unités concernées"), means["treated"]), ("comparison", _("unités de comparaison"), means["comparison"])],
            marker, fmt=_axis(phrase, [*means["treated"], *means["comparison"]]), marker_label=_("changement"), colon=_colon(phrase),
        )
    rows, reference, margins, fmt = [], 0.0, [], None
    kind = first["kind"]
    mde = first.get("mde") or 0
    sign = _sign(first.get("direction", "increase"))
    guardrail = first.get("role") == "guardrail"
    if guardrail:  # a guardrail's direction is the good one: its threshold is on the side of harm
        sign = -sign
    for c in comparisons:
        raw = c.raw
        if kind in ("binary", "mean") and raw.get("difference") is not None and raw.get("difference_ci"):
            scale = 100 if kind == "binary" else 1
            rows.append((c.arm, raw["difference"] * scale, raw["difference_ci"][0] * scale, raw["difference_ci"][1] * scale))
            margins = [sign * mde * scale]
            fmt = (lambda v: phrase.num(v, 1) + _(" pt")) if kind == "binary" else (lambda v: phrase.num(v, 2))
        elif kind == "rate" and raw.get("ratio") is not None and raw.get("ratio_ci"):
            rows.append((c.arm, raw["ratio"], *raw["ratio_ci"]))
            reference = 1.0
            if raw.get("control_value"):
                margins = [1 + sign * mde / raw["control_value"]]
            fmt = lambda v: phrase.num(v, 2)  # noqa: E731
        elif kind == "ordinal" and raw.get("probability_of_superiority") is not None and raw.get("probability_of_superiority_ci"):
            rows.append((c.arm, raw["probability_of_superiority"], *raw["probability_of_superiority_ci"]))
            reference = 0.5
            margins = [0.5 + sign * mde]
            fmt = lambda v: phrase.pct(v, 0)  # noqa: E731
    if not rows:
        return None
    what = {"binary": _("écart en points"), "mean": _("écart des moyennes"), "rate": _("rapport des taux"),
            "ordinal": _("probabilité de supériorité")}[kind]
    if guardrail:
        title = _("%(metric)s\u202f: %(what)s par bras, avec son intervalle, l'absence d'effet et le seuil de "
                  "dégradation (pointillés), au-delà duquel la zone ombrée est celle où l'indicateur se dégrade") % {
            "metric": comparisons[0].metric, "what": what}
    else:
        title = _("%(metric)s\u202f: %(what)s par bras, avec son intervalle, l'absence d'effet et l'effet minimal visé (pointillés)") % {
            "metric": comparisons[0].metric, "what": what}
    return title, charts.intervals(title, description, rows, reference, margins, fmt,
                                   reference_label=_("aucun effet"),
                                   margin_label=_("seuil de dégradation") if guardrail else _("effet minimal visé"),
                                   colon=_colon(phrase), harm=sign if guardrail else 0)


def _colon(phrase: Phrase) -> str:
    return "\u202f: " if phrase.lang == "fr" else ": "


def _axis(phrase: Phrase, values) -> Callable[[float], str]:
    """Tick labels of a value axis, in the page's language, with as many decimals as
    the scale of the values needs."""
    digits = min(4, Phrase.decimals(*[v for v in values if v is not None], significant=3))
    return lambda v: phrase.num(v, digits)


def _observed(series, periods: list[str]) -> list[float]:
    """The series' values in the order of the evaluated periods; counts with an
    exposure are shown as rates, like the fitted lines."""
    rates = series.exposure is not None
    by_period = {str(p): v / series.exposure[i] if rates else v
                 for i, (p, v) in enumerate(zip(series.periods, series.values))}
    return [by_period.get(p) for p in periods]


def sample_sizes(doc: ExperimentFile) -> dict[str, int]:
    """Units (rate: exposure) needed per arm for each metric whose plan allows it, shown
    while writing the plan: at the multiplicity-adjusted alpha (Bonferroni over the
    arms compared with the control and, for primary metrics, over the primary
    metrics), as the verdicts adjust with Holm. Only randomized designs have arms to
    size: before/after and comparison-group plans get nothing here."""
    import math

    from tal.stats import sample_size_binary, sample_size_mean
    from tal.stats.planning import sample_size_ordinal, sample_size_rate

    if doc.experiment.design != "randomized":
        return {}
    compared = max(1, sum(1 for a in doc.arms if not a.control))
    primaries = max(1, sum(1 for m in doc.metrics if m.role == "primary"))
    needed = {}
    for m in doc.metrics:
        alpha = m.alpha / (compared * (primaries if m.role == "primary" else 1))
        n = None
        if m.kind == "binary" and m.baseline is not None:
            n = float(sample_size_binary(m.baseline, m.mde, _sign(m.direction), alpha, m.power)[0])
        elif m.kind == "mean" and m.baseline_sd is not None:
            n = sample_size_mean(m.mde, m.baseline_sd, alpha, m.power)
        elif m.kind == "rate" and m.baseline is not None:
            n = float(sample_size_rate(m.baseline, m.mde, _sign(m.direction), alpha, m.power)[0])
        elif m.kind == "ordinal":
            n = float(sample_size_ordinal(m.mde, alpha, m.power)[0])
        if n is not None and math.isfinite(n):
            needed[m.key] = int(math.ceil(n))
    return needed


# The views of stored evaluations (snapshots) already shown, per language: the sentences and
# SVG charts change only when the snapshot or the experiment file does, not per request.
_SHOWN: OrderedDict[tuple, list[IterationView]] = OrderedDict()
SHOWN_MAX = 256


def present_stored(result: dict, computed_at: object, doc: ExperimentFile, gettext: Callable[[str], str],
                   lang: str) -> list[IterationView]:
    """`present` of a stored snapshot, kept (least recently used out first) under the
    snapshot's time, a digest of the file and of the result, and the language."""
    key = (computed_at, hashlib.sha256(msgspec.json.encode(doc)).digest(),
           hashlib.sha256(msgspec.json.encode(result)).digest(), lang)
    views = _SHOWN.get(key)
    if views is None:
        views = _SHOWN[key] = present(result, doc, gettext, lang)
        while len(_SHOWN) > SHOWN_MAX:
            _SHOWN.popitem(last=False)
    else:
        _SHOWN.move_to_end(key)
    return views


async def page_results(slug: str, doc: ExperimentFile, lang: str) -> dict:
    """The results part of an experiment's page: its evaluation, per iteration, and the
    iteration whose team is invited to share what it learned."""
    found = await services.current(slug, doc)
    results = {}
    if found.result is not None:
        gettext = translations(lang).gettext
        shown = (present(found.result, doc, gettext, lang) if found.computed_at is None
                 else present_stored(found.result, found.computed_at, doc, gettext, lang))
        results = {it.number: it for it in shown}
    # A refuted or inconclusive hypothesis invites its team to share what it learned.
    invite = next((n for n, it in sorted(results.items(), reverse=True) if any(
        c.raw["role"] == "primary" and c.raw.get("verdict") in ("contradicted", "inconclusive") for c in it.comparisons)), None)
    return {"results": results, "invite": invite, "evaluation": found}


# The register shows them without importing the evaluation (tal/experiments/extensions.py).
extensions.provide("evaluation_page", page_results)
extensions.provide("sample_sizes", sample_sizes)
