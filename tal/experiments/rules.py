"""Rules that relate several values of an experiment document.

`check(doc)` raises a DomainError naming the key path of the first problem found,
in French. It runs on every write: file load, form and API alike.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from tal.core.errors import DomainError, Msg
from tal.experiments.schemas import SLUG_PATTERN, ExperimentFile, Iteration
from tal.i18n import N_
from tal.stats.periods import PeriodError, positions

REGISTERED_STATUSES = ("registered", "running", "concluded", "decided")
RESULT_FIELDS = {
    "binary": ("n", "successes"),
    "mean": ("n", "mean", "sd"),
    "rate": ("events", "exposure"),
    "ordinal": ("counts",),
}
ALL_RESULT_FIELDS = ("n", "successes", "mean", "sd", "events", "exposure", "counts")
UNKNOWN_METRIC = N_("l'indicateur «\u202f%(key)s\u202f» n'existe pas dans [[metrics]]")
NOT_IN_PERIODS = N_("la période «\u202f%(period)s\u202f» n'est pas dans periods")


def _fail(path: str, message: str, **params) -> None:
    """`message` is a message id (N_), with named `params` when it has placeholders."""
    raise DomainError(message, path, params or None)


def _unique(values: list[str], path: str, what: str) -> None:
    for value, count in Counter(values).items():
        if count > 1:
            _fail(path, N_("%(what)s «\u202f%(value)s\u202f» apparaît plusieurs fois"), what=Msg(what), value=value)


def check(doc: ExperimentFile) -> None:
    """Raise DomainError on the first inconsistency of the document."""
    _check_header(doc)
    _check_plan(doc)
    for i, iteration in enumerate(doc.iterations, start=1):
        _check_iteration(doc, iteration, f"iterations[{i}]")
    numbers = [it.number for it in doc.iterations]
    if numbers != sorted(set(numbers)):
        _fail("iterations", N_("les numéros d'itération doivent être uniques et croissants"))
    _check_amendments(doc)
    _check_decision(doc)
    for i, entry in enumerate(doc.journal, start=1):
        _unique(entry.tags, f"journal[{i}].tags", N_("l'étiquette"))


def _check_header(doc: ExperimentFile) -> None:
    head = doc.experiment
    if head.registered_at is not None and head.registered_at.tzinfo is None:
        _fail("experiment.registered_at", N_("la date d'enregistrement doit préciser le fuseau horaire (+01:00)"))
    if head.status in REGISTERED_STATUSES and head.registered_at is None:
        _fail("experiment.registered_at", N_("obligatoire pour le statut «\u202f%(status)s\u202f»\u202f: le plan doit avoir été pré-enregistré"),
              status=head.status)
    if head.status == "draft" and head.registered_at is not None:
        _fail("experiment.registered_at", N_("un brouillon n'est pas encore pré-enregistré\u202f: retirez cette date ou changez le statut"))
    if head.intervention is not None and not re.fullmatch(SLUG_PATTERN, head.intervention):
        _fail(
            "experiment.intervention",
            N_("clé d'intervention «\u202f%(key)s\u202f» invalide\u202f: minuscules sans accents, chiffres et tirets "
               "simples, par exemple «\u202frappel-sms-rendez-vous\u202f»"),
            key=head.intervention[:80],
        )
    if head.service in head.partner_services:
        _fail("experiment.partner_services", N_("le service porteur ne peut pas être aussi partenaire"))
    _unique(head.partner_services, "experiment.partner_services", N_("le service"))
    _unique(head.objectives, "experiment.objectives", N_("l'objectif"))


def _check_plan(doc: ExperimentFile) -> None:
    design = doc.experiment.design
    _unique([h.key for h in doc.hypotheses], "hypotheses", N_("la clé d'hypothèse"))
    _unique([m.key for m in doc.metrics], "metrics", N_("la clé d'indicateur"))
    _unique([a.key for a in doc.arms], "arms", N_("la clé de bras"))
    hypotheses = {h.key for h in doc.hypotheses}
    for i, metric in enumerate(doc.metrics, start=1):
        path = f"metrics[{i}]"
        if metric.hypothesis not in hypotheses:
            _fail(f"{path}.hypothesis", N_("l'hypothèse «\u202f%(key)s\u202f» n'existe pas dans [[hypotheses]]"),
                  key=metric.hypothesis)
        if metric.kind == "ordinal":
            if not metric.levels or len(metric.levels) < 2:
                _fail(f"{path}.levels", N_("un indicateur ordinal demande au moins deux niveaux, du pire au meilleur"))
            _unique(metric.levels, f"{path}.levels", N_("le niveau"))
        elif metric.levels is not None:
            _fail(f"{path}.levels", N_("les niveaux ne s'appliquent qu'aux indicateurs ordinaux"))
        if metric.baseline_sd is not None and metric.kind != "mean":
            _fail(f"{path}.baseline_sd", N_("l'écart-type de référence ne s'applique qu'aux indicateurs de moyenne"))
        if metric.kind == "binary":
            if metric.baseline is not None and not 0 <= metric.baseline <= 1:
                _fail(f"{path}.baseline", N_("une proportion de référence est comprise entre 0 et 1"))
            if metric.mde >= 1:
                _fail(f"{path}.mde", N_("pour une proportion, l'effet minimal est inférieur à 1 (0,03 = 3 points)"))
        if metric.kind == "ordinal" and metric.mde >= 0.5:
            _fail(f"{path}.mde", N_("pour un indicateur ordinal, l'effet minimal porte sur la probabilité de supériorité\u202f: "
                                     "inférieur à 0,5"))
        if metric.kind == "rate" and metric.baseline is not None and metric.baseline < 0:
            _fail(f"{path}.baseline", N_("un taux de référence ne peut pas être négatif"))
    if design == "randomized":
        _check_arms(doc)
    elif doc.arms:
        _fail("arms", N_("les bras ne s'appliquent qu'aux plans randomisés (design = \"randomized\")"))
    if doc.experiment.status in REGISTERED_STATUSES:
        if not doc.hypotheses:
            _fail("hypotheses", N_("un plan pré-enregistré a au moins une hypothèse"))
        if not any(m.role == "primary" for m in doc.metrics):
            _fail("metrics", N_("un plan pré-enregistré a au moins un indicateur principal (role = \"primary\")"))
        if design == "randomized" and len(doc.arms) < 2:
            _fail("arms", N_("un plan randomisé pré-enregistré a au moins deux bras"))


def _check_arms(doc: ExperimentFile) -> None:
    if not doc.arms:
        return
    controls = [a.key for a in doc.arms if a.control]
    if len(controls) != 1:
        _fail("arms", N_("il faut exactement un bras témoin (control = true), il y en a %(count)d"),
              count=len(controls))
    shares = [a.share for a in doc.arms]
    given = [s for s in shares if s is not None]
    if given and len(given) != len(shares):
        missing = next(i for i, s in enumerate(shares, start=1) if s is None)
        _fail(f"arms[{missing}].share", N_("donnez la part prévue de chaque bras, ou d'aucun"))
    if given and not math.isclose(sum(given), 1.0, abs_tol=1e-6):
        _fail("arms", N_("les parts prévues (share) doivent faire 1 au total, elles font %(total)s"),
              total=f"{sum(given):g}")


def _check_iteration(doc: ExperimentFile, it: Iteration, path: str) -> None:
    design = doc.experiment.design
    if it.ended_on is not None and it.ended_on < it.started_on:
        _fail(f"{path}.ended_on", N_("la date de fin précède la date de début"))
    metrics = {m.key: m for m in doc.metrics}
    arms = {a.key for a in doc.arms}
    if it.results and design != "randomized":
        _fail(f"{path}.results", N_("les résultats par bras ne s'appliquent qu'aux plans randomisés\u202f; utilisez series (avant/après) "
                                            "ou panel (groupe de comparaison)"))
    if it.series and design != "before_after":
        _fail(f"{path}.series", N_("les séries ne s'appliquent qu'aux plans avant/après (design = \"before_after\")"))
    if it.panel and design != "comparison_group":
        _fail(f"{path}.panel", N_("les panels ne s'appliquent qu'aux plans avec groupe de comparaison"))
    seen: set[tuple[str, str]] = set()
    for j, row in enumerate(it.results, start=1):
        rpath = f"{path}.results[{j}]"
        metric = metrics.get(row.metric)
        if metric is None:
            _fail(f"{rpath}.metric", UNKNOWN_METRIC, key=row.metric)
        if row.arm not in arms:
            _fail(f"{rpath}.arm", N_("le bras «\u202f%(key)s\u202f» n'existe pas dans [[arms]]"), key=row.arm)
        if (row.metric, row.arm) in seen:
            _fail(rpath, N_("deux lignes pour l'indicateur «\u202f%(metric)s\u202f» et le bras «\u202f%(arm)s\u202f»"),
                  metric=row.metric, arm=row.arm)
        seen.add((row.metric, row.arm))
        needed = RESULT_FIELDS[metric.kind]
        for field in needed:
            if getattr(row, field) is None:
                _fail(f"{rpath}.{field}", N_("obligatoire pour un indicateur «\u202f%(kind)s\u202f»"), kind=metric.kind)
        for field in ALL_RESULT_FIELDS:
            if field not in needed and getattr(row, field) is not None:
                _fail(f"{rpath}.{field}", N_("ne s'applique pas à un indicateur «\u202f%(kind)s\u202f» (attendu\u202f: %(fields)s)"),
                      kind=metric.kind, fields=", ".join(needed))
        if metric.kind == "binary" and row.successes > row.n:
            _fail(f"{rpath}.successes", N_("%(successes)d succès pour n = %(n)d\u202f: les succès ne peuvent pas dépasser n"),
                  successes=row.successes, n=row.n)
        if metric.kind == "mean" and not math.isfinite(row.mean):
            _fail(f"{rpath}.mean", N_("doit être un nombre fini"))
        if metric.kind == "ordinal" and len(row.counts) != len(metric.levels or []):
            _fail(f"{rpath}.counts", N_("%(counts)d effectifs pour %(levels)d niveaux\u202f: il en faut un par niveau"),
                  counts=len(row.counts), levels=len(metric.levels or []))
    for j, series in enumerate(it.series, start=1):
        spath = f"{path}.series[{j}]"
        if series.metric not in metrics:
            _fail(f"{spath}.metric", UNKNOWN_METRIC, key=series.metric)
        if len(series.values) != len(series.periods):
            _fail(f"{spath}.values", N_("%(values)d valeurs pour %(periods)d périodes\u202f: il en faut une par période"),
                  values=len(series.values), periods=len(series.periods))
        _unique(series.periods, f"{spath}.periods", N_("la période"))
        _check_periods(series.periods, series.intervention_at, spath)
        if series.intervention_at not in series.periods:
            _fail(f"{spath}.intervention_at", NOT_IN_PERIODS, period=series.intervention_at)
        if not all(math.isfinite(v) for v in series.values):
            _fail(f"{spath}.values", N_("toutes les valeurs doivent être des nombres finis"))
        if series.exposure is not None:
            if metrics[series.metric].kind != "rate":
                _fail(f"{spath}.exposure", N_("ne s'applique qu'à un indicateur «\u202frate\u202f»\u202f: les valeurs sont "
                                                "alors des nombres d'événements"))
            if len(series.exposure) != len(series.values):
                _fail(f"{spath}.exposure", N_("%(exposures)d expositions pour %(values)d valeurs\u202f: il en faut une par période"),
                      exposures=len(series.exposure), values=len(series.values))
            if not all(v >= 0 and v == int(v) for v in series.values):
                _fail(f"{spath}.values", N_("avec une exposition, les valeurs sont des nombres d'événements\u202f: des "
                                              "entiers positifs ou nuls"))
    for j, panel in enumerate(it.panel, start=1):
        ppath = f"{path}.panel[{j}]"
        if panel.metric not in metrics:
            _fail(f"{ppath}.metric", UNKNOWN_METRIC, key=panel.metric)
        if not len(panel.units) == len(panel.periods) == len(panel.values):
            _fail(ppath, N_("units, periods et values doivent avoir la même longueur (une ligne par unité et période)"))
        units = set(panel.units)
        for unit in panel.treated_units:
            if unit not in units:
                _fail(f"{ppath}.treated_units", N_("l'unité «\u202f%(unit)s\u202f» n'apparaît pas dans units"), unit=unit)
        if not units - set(panel.treated_units):
            _fail(f"{ppath}.treated_units", N_("il faut au moins une unité de comparaison (non traitée)"))
        _check_periods(panel.periods, panel.intervention_at, ppath)
        if panel.intervention_at not in set(panel.periods):
            _fail(f"{ppath}.intervention_at", NOT_IN_PERIODS, period=panel.intervention_at)
        _unique([f"{u} / {p}" for u, p in zip(panel.units, panel.periods)], ppath, N_("le couple unité / période"))
        if not all(math.isfinite(v) for v in panel.values):
            _fail(f"{ppath}.values", N_("toutes les valeurs doivent être des nombres finis"))


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
        _fail("amendments", N_("un amendement modifie un plan pré-enregistré\u202f: il faut experiment.registered_at"))
    previous = registered_at
    for i, amendment in enumerate(doc.amendments, start=1):
        if amendment.at.tzinfo is None:
            _fail(f"amendments[{i}].at", N_("la date doit préciser le fuseau horaire (+01:00)"))
        if previous is not None and amendment.at < previous:
            _fail(f"amendments[{i}].at", N_("un amendement suit l'enregistrement et les amendements précédents"))
        if not amendment.reason.strip():
            _fail(f"amendments[{i}].reason", N_("un amendement donne sa raison"))
        previous = amendment.at


def _check_decision(doc: ExperimentFile) -> None:
    status = doc.experiment.status
    if status == "decided" and doc.decision is None:
        _fail("decision", N_("une expérimentation «\u202fdecided\u202f» porte la décision du comité ([decision])"))
    if doc.decisions and doc.decision is None:
        _fail("decisions", N_("les décisions antérieures ([[decisions]]) accompagnent la décision actuelle ([decision])"))
    dates = [d.decided_on for d in doc.decisions] + ([doc.decision.decided_on] if doc.decision else [])
    for i in range(1, len(dates)):
        if dates[i] < dates[i - 1]:
            path = f"decisions[{i + 1}]" if i < len(doc.decisions) else "decision"
            _fail(f"{path}.decided_on", N_("une décision suit les décisions qu'elle remplace"))
    if doc.decision is None:
        return
    if doc.decision.outcome == "iterate":
        # « Itérer » sends the experiment back to its team, for a new iteration.
        if status not in ("running", "concluded", "abandoned"):
            _fail(
                "decision",
                N_("une décision «\u202fitérer\u202f» renvoie l'expérimentation à son équipe\u202f: statut «\u202frunning\u202f» "
                   "(en cours), «\u202fconcluded\u202f» ou «\u202fabandoned\u202f» (statut actuel\u202f: «\u202f%(status)s\u202f»)"),
                status=status,
            )
        return
    if status not in ("decided", "abandoned"):
        _fail("decision", N_("une décision n'existe que pour le statut «\u202fdecided\u202f» (statut actuel\u202f: "
                                 "«\u202f%(status)s\u202f»)"), status=status)
    last_start = max((it.started_on for it in doc.iterations), default=None)
    if last_start is not None and doc.decision.decided_on < last_start:
        _fail("decision.decided_on", N_("la décision précède le début de la dernière itération"))
