"""What the intervention page shows for each pooled metric: the sentence, the figures
formatted for the language, and the forest plot."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from tal.replications.forest import forest
from tal.replications.sentences import NNBSP, Figures, french_spaces, sentence
from tal.replications.services import Pooled


@dataclass
class StudyRow:
    slug: str
    title: str
    service: str
    iteration: int
    arm: str | None
    effect: str
    low: str
    high: str
    weight: str


@dataclass
class MetricView:
    key: str
    label: str
    raw: dict
    sentence: str
    unit: str
    pooled: str
    pooled_low: str
    pooled_high: str
    p_value: str
    fixed: str
    fixed_low: str
    fixed_high: str
    tau2: str
    i2: str
    q: str
    q_p_value: str
    chart: Markup
    studies: list[StudyRow]


def p_text(f: Figures, value: float) -> str:
    """« p = 0,0123 », « p < 0,0001 » (never « p = < 0,0001 »)."""
    return ("p < " + f.num(0.0001, 4)) if value < 0.0001 else "p = " + f.num(value, 4)


def present(result: Pooled, gettext, lang: str) -> list[MetricView]:
    _ = gettext
    titles = {r.slug: r.title for r in result.replications}
    services = [r.service for r in result.replications]
    # The forest plot names each row by its service, and by its experiment too when a service has several.
    names = {r.slug: r.service if services.count(r.service) == 1 else f"{r.service} — {r.slug}"
             for r in result.replications}
    views = []
    for metric in (result.result or {}).get("metrics", []):
        f = Figures(metric, lang)
        label = result.label(metric["metric"])
        text = sentence(metric, label, _, lang)
        unit = {"binary": _("en points de pourcentage"), "rate": _("en % de variation du taux")}.get(
            metric["kind"], _("dans l'unité de l'indicateur"))
        z = 1.959963984540054
        rows = [
            StudyRow(s["experiment"], titles.get(s["experiment"], s["experiment"]), s["service"] or "", s["iteration"],
                     s["arm"], f.effect(s["estimate"]), f.effect(s["estimate"] - z * s["std_error"]),
                     f.effect(s["estimate"] + z * s["std_error"]), f.percent(s["weight"]))
            for s in metric["studies"]
        ]
        title = _("Effet de l'intervention sur «\u202f%(metric)s\u202f», service par service et combiné") % {"metric": label}
        colon = NNBSP + ": " if lang == "fr" else ": "
        description = text + " " + "; ".join(f"{r.service}{colon}{r.effect} ("
                                             + _("%(low)s\u202f; %(high)s") % {"low": r.low, "high": r.high} + ")"
                                             for r in rows)
        chart = forest(metric, french_spaces(title) if lang == "fr" else title, description, names, lang,
                       _("Effet combiné"), _("aucun effet"))
        pooled, fixed = metric["pooled"], metric["fixed"]
        views.append(MetricView(
            key=metric["metric"], label=label, raw=metric, sentence=text, unit=unit,
            pooled=f.effect(pooled["estimate"]), pooled_low=f.effect(pooled["ci"][0]),
            pooled_high=f.effect(pooled["ci"][1]), p_value=p_text(f, pooled["p_value"]),
            fixed=f.effect(fixed["estimate"]), fixed_low=f.effect(fixed["ci"][0]), fixed_high=f.effect(fixed["ci"][1]),
            tau2=f.num(metric["tau2"], 6), i2=f.percent(metric["i2"]), q=f.num(metric["q"], 2),
            q_p_value=p_text(f, metric["q_p_value"]), chart=chart, studies=rows,
        ))
    return views
