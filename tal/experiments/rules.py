"""Rules that relate several values of an experiment document.

`check(doc)` raises a DomainError naming the key path of the first problem found,
in French. It runs on every write: file load, form and API alike.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from tal.core.errors import DomainError
from tal.experiments.schemas import SLUG_PATTERN, ExperimentFile, Iteration
from tal.stats.periods import PeriodError, positions

REGISTERED_STATUSES = ("registered", "running", "concluded", "decided")
RESULT_FIELDS = {
    "binary": ("n", "successes"),
    "mean": ("n", "mean", "sd"),
    "rate": ("events", "exposure"),
    "ordinal": ("counts",),
}
ALL_RESULT_FIELDS = ("n", "successes", "mean", "sd", "events", "exposure", "counts")


def _fail(path: str, message: str) -> None:
    raise DomainError(message, path)


def _unique(values: list[str], path: str, what: str) -> None:
    for value, count in Counter(values).items():
        if count > 1:
            _fail(path, f"{what} « {value} » apparaît plusieurs fois")


def check(doc: ExperimentFile) -> None:
    """Raise DomainError on the first inconsistency of the document."""
    _check_header(doc)
    _check_plan(doc)
    for i, iteration in enumerate(doc.iterations, start=1):
        _check_iteration(doc, iteration, f"iterations[{i}]")
    numbers = [it.number for it in doc.iterations]
    if numbers != sorted(set(numbers)):
        _fail("iterations", "les numéros d'itération doivent être uniques et croissants")
    _check_amendments(doc)
    _check_decision(doc)
    for i, entry in enumerate(doc.journal, start=1):
        _unique(entry.tags, f"journal[{i}].tags", "l'étiquette")


def _check_header(doc: ExperimentFile) -> None:
    head = doc.experiment
    if head.registered_at is not None and head.registered_at.tzinfo is None:
        _fail("experiment.registered_at", "la date d'enregistrement doit préciser le fuseau horaire (+01:00)")
    if head.status in REGISTERED_STATUSES and head.registered_at is None:
        _fail("experiment.registered_at", f"obligatoire pour le statut « {head.status} » : le plan doit avoir été pré-enregistré")
    if head.status == "draft" and head.registered_at is not None:
        _fail("experiment.registered_at", "un brouillon n'est pas encore pré-enregistré : retirez cette date ou changez le statut")
    if head.intervention is not None and not re.fullmatch(SLUG_PATTERN, head.intervention):
        _fail(
            "experiment.intervention",
            f"clé d'intervention « {head.intervention[:80]} » invalide : minuscules sans accents, chiffres et tirets "
            "simples, par exemple « rappel-sms-rendez-vous »",
        )
    if head.service in head.partner_services:
        _fail("experiment.partner_services", "le service porteur ne peut pas être aussi partenaire")
    _unique(head.partner_services, "experiment.partner_services", "le service")
    _unique(head.objectives, "experiment.objectives", "l'objectif")


def _check_plan(doc: ExperimentFile) -> None:
    design = doc.experiment.design
    _unique([h.key for h in doc.hypotheses], "hypotheses", "la clé d'hypothèse")
    _unique([m.key for m in doc.metrics], "metrics", "la clé d'indicateur")
    _unique([a.key for a in doc.arms], "arms", "la clé de bras")
    hypotheses = {h.key for h in doc.hypotheses}
    for i, metric in enumerate(doc.metrics, start=1):
        path = f"metrics[{i}]"
        if metric.hypothesis not in hypotheses:
            _fail(f"{path}.hypothesis", f"l'hypothèse « {metric.hypothesis} » n'existe pas dans [[hypotheses]]")
        if metric.kind == "ordinal":
            if not metric.levels or len(metric.levels) < 2:
                _fail(f"{path}.levels", "un indicateur ordinal demande au moins deux niveaux, du pire au meilleur")
            _unique(metric.levels, f"{path}.levels", "le niveau")
        elif metric.levels is not None:
            _fail(f"{path}.levels", "les niveaux ne s'appliquent qu'aux indicateurs ordinaux")
        if metric.baseline_sd is not None and metric.kind != "mean":
            _fail(f"{path}.baseline_sd", "l'écart-type de référence ne s'applique qu'aux indicateurs de moyenne")
        if metric.kind == "binary":
            if metric.baseline is not None and not 0 <= metric.baseline <= 1:
                _fail(f"{path}.baseline", "une proportion de référence est comprise entre 0 et 1")
            if metric.mde >= 1:
                _fail(f"{path}.mde", "pour une proportion, l'effet minimal est inférieur à 1 (0,03 = 3 points)")
        if metric.kind == "ordinal" and metric.mde >= 0.5:
            _fail(f"{path}.mde", "pour un indicateur ordinal, l'effet minimal porte sur la probabilité de supériorité : inférieur à 0,5")
        if metric.kind == "rate" and metric.baseline is not None and metric.baseline < 0:
            _fail(f"{path}.baseline", "un taux de référence ne peut pas être négatif")
    if design == "randomized":
        _check_arms(doc)
    elif doc.arms:
        _fail("arms", "les bras ne s'appliquent qu'aux plans randomisés (design = \"randomized\")")
    if doc.experiment.status in REGISTERED_STATUSES:
        if not doc.hypotheses:
            _fail("hypotheses", "un plan pré-enregistré a au moins une hypothèse")
        if not any(m.role == "primary" for m in doc.metrics):
            _fail("metrics", "un plan pré-enregistré a au moins un indicateur principal (role = \"primary\")")
        if design == "randomized" and len(doc.arms) < 2:
            _fail("arms", "un plan randomisé pré-enregistré a au moins deux bras")


def _check_arms(doc: ExperimentFile) -> None:
    if not doc.arms:
        return
    controls = [a.key for a in doc.arms if a.control]
    if len(controls) != 1:
        _fail("arms", f"il faut exactement un bras témoin (control = true), il y en a {len(controls)}")
    shares = [a.share for a in doc.arms]
    given = [s for s in shares if s is not None]
    if given and len(given) != len(shares):
        missing = next(i for i, s in enumerate(shares, start=1) if s is None)
        _fail(f"arms[{missing}].share", "donnez la part prévue de chaque bras, ou d'aucun")
    if given and not math.isclose(sum(given), 1.0, abs_tol=1e-6):
        _fail("arms", f"les parts prévues (share) doivent faire 1 au total, elles font {sum(given):g}")


def _check_iteration(doc: ExperimentFile, it: Iteration, path: str) -> None:
    design = doc.experiment.design
    if it.ended_on is not None and it.ended_on < it.started_on:
        _fail(f"{path}.ended_on", "la date de fin précède la date de début")
    metrics = {m.key: m for m in doc.metrics}
    arms = {a.key for a in doc.arms}
    if it.results and design != "randomized":
        _fail(f"{path}.results", "les résultats par bras ne s'appliquent qu'aux plans randomisés ; utilisez series (avant/après) ou panel (groupe de comparaison)")
    if it.series and design != "before_after":
        _fail(f"{path}.series", "les séries ne s'appliquent qu'aux plans avant/après (design = \"before_after\")")
    if it.panel and design != "comparison_group":
        _fail(f"{path}.panel", "les panels ne s'appliquent qu'aux plans avec groupe de comparaison")
    seen: set[tuple[str, str]] = set()
    for j, row in enumerate(it.results, start=1):
        rpath = f"{path}.results[{j}]"
        metric = metrics.get(row.metric)
        if metric is None:
            _fail(f"{rpath}.metric", f"l'indicateur « {row.metric} » n'existe pas dans [[metrics]]")
        if row.arm not in arms:
            _fail(f"{rpath}.arm", f"le bras « {row.arm} » n'existe pas dans [[arms]]")
        if (row.metric, row.arm) in seen:
            _fail(rpath, f"deux lignes pour l'indicateur « {row.metric} » et le bras « {row.arm} »")
        seen.add((row.metric, row.arm))
        needed = RESULT_FIELDS[metric.kind]
        for field in needed:
            if getattr(row, field) is None:
                _fail(f"{rpath}.{field}", f"obligatoire pour un indicateur « {metric.kind} »")
        for field in ALL_RESULT_FIELDS:
            if field not in needed and getattr(row, field) is not None:
                _fail(f"{rpath}.{field}", f"ne s'applique pas à un indicateur « {metric.kind} » (attendu : {', '.join(needed)})")
        if metric.kind == "binary" and row.successes > row.n:
            _fail(f"{rpath}.successes", f"{row.successes} succès pour n = {row.n} : les succès ne peuvent pas dépasser n")
        if metric.kind == "mean" and not math.isfinite(row.mean):
            _fail(f"{rpath}.mean", "doit être un nombre fini")
        if metric.kind == "ordinal" and len(row.counts) != len(metric.levels or []):
            _fail(f"{rpath}.counts", f"{len(row.counts)} effectifs pour {len(metric.levels or [])} niveaux : il en faut un par niveau")
    for j, series in enumerate(it.series, start=1):
        spath = f"{path}.series[{j}]"
        if series.metric not in metrics:
            _fail(f"{spath}.metric", f"l'indicateur « {series.metric} » n'existe pas dans [[metrics]]")
        if len(series.values) != len(series.periods):
            _fail(f"{spath}.values", f"{len(series.values)} valeurs pour {len(series.periods)} périodes : il en faut une par période")
        _unique(series.periods, f"{spath}.periods", "la période")
        _check_periods(series.periods, series.intervention_at, spath)
        if series.intervention_at not in series.periods:
            _fail(f"{spath}.intervention_at", f"la période « {series.intervention_at} » n'est pas dans periods")
        if not all(math.isfinite(v) for v in series.values):
            _fail(f"{spath}.values", "toutes les valeurs doivent être des nombres finis")
        if series.exposure is not None:
            if metrics[series.metric].kind != "rate":
                _fail(f"{spath}.exposure", "ne s'applique qu'à un indicateur « rate » : les valeurs sont alors des nombres d'événements")
            if len(series.exposure) != len(series.values):
                _fail(f"{spath}.exposure", f"{len(series.exposure)} expositions pour {len(series.values)} valeurs : il en faut une par période")
            if not all(v >= 0 and v == int(v) for v in series.values):
                _fail(f"{spath}.values", "avec une exposition, les valeurs sont des nombres d'événements : des entiers positifs ou nuls")
    for j, panel in enumerate(it.panel, start=1):
        ppath = f"{path}.panel[{j}]"
        if panel.metric not in metrics:
            _fail(f"{ppath}.metric", f"l'indicateur « {panel.metric} » n'existe pas dans [[metrics]]")
        if not len(panel.units) == len(panel.periods) == len(panel.values):
            _fail(ppath, "units, periods et values doivent avoir la même longueur (une ligne par unité et période)")
        units = set(panel.units)
        for unit in panel.treated_units:
            if unit not in units:
                _fail(f"{ppath}.treated_units", f"l'unité « {unit} » n'apparaît pas dans units")
        if not units - set(panel.treated_units):
            _fail(f"{ppath}.treated_units", "il faut au moins une unité de comparaison (non traitée)")
        _check_periods(panel.periods, panel.intervention_at, ppath)
        if panel.intervention_at not in set(panel.periods):
            _fail(f"{ppath}.intervention_at", f"la période « {panel.intervention_at} » n'est pas dans periods")
        _unique([f"{u} / {p}" for u, p in zip(panel.units, panel.periods)], ppath, "le couple unité / période")
        if not all(math.isfinite(v) for v in panel.values):
            _fail(f"{ppath}.values", "toutes les valeurs doivent être des nombres finis")


def _check_periods(periods: list[str], intervention_at: str, path: str) -> None:
    """Periods are ISO (YYYY, YYYY-MM, YYYY-Www, YYYY-MM-DD) or integers, all of one form."""
    try:
        positions(periods, intervention_at)
    except PeriodError as err:
        where = f"{path}.intervention_at" if err.index is None else f"{path}.periods[{err.index + 1}]"
        _fail(where, str(err))


def _check_amendments(doc: ExperimentFile) -> None:
    registered_at = doc.experiment.registered_at
    if doc.amendments and registered_at is None:
        _fail("amendments", "un amendement modifie un plan pré-enregistré : il faut experiment.registered_at")
    previous = registered_at
    for i, amendment in enumerate(doc.amendments, start=1):
        if amendment.at.tzinfo is None:
            _fail(f"amendments[{i}].at", "la date doit préciser le fuseau horaire (+01:00)")
        if previous is not None and amendment.at < previous:
            _fail(f"amendments[{i}].at", "un amendement suit l'enregistrement et les amendements précédents")
        if not amendment.reason.strip():
            _fail(f"amendments[{i}].reason", "un amendement donne sa raison")
        previous = amendment.at


def _check_decision(doc: ExperimentFile) -> None:
    status = doc.experiment.status
    if status == "decided" and doc.decision is None:
        _fail("decision", "une expérimentation « decided » porte la décision du comité ([decision])")
    if doc.decisions and doc.decision is None:
        _fail("decisions", "les décisions antérieures ([[decisions]]) accompagnent la décision actuelle ([decision])")
    dates = [d.decided_on for d in doc.decisions] + ([doc.decision.decided_on] if doc.decision else [])
    for i in range(1, len(dates)):
        if dates[i] < dates[i - 1]:
            path = f"decisions[{i + 1}]" if i < len(doc.decisions) else "decision"
            _fail(f"{path}.decided_on", "une décision suit les décisions qu'elle remplace")
    if doc.decision is None:
        return
    if doc.decision.outcome == "iterate":
        # « Itérer » sends the experiment back to its team, for a new iteration.
        if status not in ("running", "concluded", "abandoned"):
            _fail(
                "decision",
                "une décision « itérer » renvoie l'expérimentation à son équipe : statut « running » (en cours), "
                f"« concluded » ou « abandoned » (statut actuel : « {status} »)",
            )
        return
    if status not in ("decided", "abandoned"):
        _fail("decision", f"une décision n'existe que pour le statut « decided » (statut actuel : « {status} »)")
    last_start = max((it.started_on for it in doc.iterations), default=None)
    if last_start is not None and doc.decision.decided_on < last_start:
        _fail("decision.decided_on", "la décision précède le début de la dernière itération")
