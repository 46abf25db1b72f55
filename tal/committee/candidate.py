"""What the committee reads about a candidate, beyond the experiment page: the level of
evidence in plain words, the sample size and achieved power, the guardrails."""

from __future__ import annotations

from dataclasses import dataclass, field

from tal.experiments.schemas import ExperimentFile
from tal.i18n import N_

# The level of evidence of a design, in plain words (issue 9: randomized; comparison
# group; before/after; planning only).
EVIDENCE = {
    "randomized": N_("Essai randomisé : les personnes ont été réparties au hasard entre les bras ; c'est le niveau de "
                     "preuve le plus solide, l'écart observé vient de l'intervention et non d'une différence de public."),
    "comparison_group": N_("Comparaison avec un groupe témoin non tiré au sort : l'écart est comparé à celui d'unités "
                           "semblables restées sans changement ; solide si leurs évolutions étaient parallèles avant."),
    "before_after": N_("Avant / après : la série est comparée à sa propre tendance ; un autre événement survenu au même "
                       "moment pourrait expliquer une partie de l'écart."),
    "planning": N_("Planification seulement : aucun résultat n'est encore saisi, rien ne peut en être conclu."),
}


@dataclass
class Guardrail:
    metric: str
    iteration: int
    verdict: str


@dataclass
class Facts:
    evidence: str
    sample_size: int | None
    # (metric label, achieved power) of the primary metrics, last iteration with results.
    power: list[tuple[str, float]] = field(default_factory=list)
    guardrails: list[Guardrail] = field(default_factory=list)
    learning_cards: int = 0


def _units(row, kind: str) -> float:
    if kind == "binary" or kind == "mean":
        return row.n or 0
    if kind == "rate":
        return 0
    return sum(row.counts or [])


def facts(doc: ExperimentFile, result: dict | None) -> Facts:
    """The candidate's evidence facts, from its document and its evaluation."""
    with_data = [it for it in doc.iterations if it.results or it.series or it.panel]
    evidence = EVIDENCE[doc.experiment.design] if with_data else EVIDENCE["planning"]
    kinds = {m.key: m.kind for m in doc.metrics}
    labels = {m.key: m.label for m in doc.metrics}
    primary = next((m.key for m in doc.metrics if m.role == "primary" and m.kind != "rate"), None)
    size = None
    if with_data and with_data[-1].results and primary:
        size = int(sum(_units(r, kinds[primary]) for r in with_data[-1].results if r.metric == primary)) or None
    power, guardrails = [], []
    for iteration in (result or {}).get("iterations", []):
        for c in iteration.get("comparisons", []):
            if c.get("role") == "guardrail" and c.get("verdict"):
                guardrails.append(Guardrail(labels.get(c["metric"], c["metric"]), iteration["number"], c["verdict"]))
    last = (result or {}).get("iterations", [])
    if last:
        for c in last[-1].get("comparisons", []):
            achieved = (c.get("planning") or {}).get("achieved_power")
            if c.get("role") == "primary" and achieved is not None:
                power.append((labels.get(c["metric"], c["metric"]), achieved))
    cards = sum(1 for it in doc.iterations if it.learning)
    return Facts(evidence, size, power, guardrails, cards)
