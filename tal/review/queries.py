"""The management review's figures, by SQL: COUNT / GROUP BY over indexed columns, never
by loading every document.

Every query that picks experiments by service or strategic objective goes through ONE
helper, `experiment_conditions` (and `experiment_ids`, its sub-select for the tables
that point at an experiment): the way services and objectives are stored may change,
and only that helper then changes. Callers open the transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec

from piccolo.query.functions.aggregate import Count, Sum
from piccolo.querystring import QueryString

from tal.accounts.tables import Service
from tal.committee.tables import FollowUp
from tal.experiments.tables import Experiment, ExperimentObjective, ExperimentService, Objective
from tal.i18n import TIMEZONE
from tal.journal.tables import JournalAction, JournalEntry

LIST_LIMIT = 500
DIGEST_LIMIT = 12
EXPORT_DIGEST_LIMIT = 500
# How verdicts are read as learning (issue 9): a refuted hypothesis is a result.
VERDICT_GROUPS = {
    "confirmed": "confirmed",
    "contradicted": "contradicted",
    "below_useful_effect": "below_useful_effect",
    "no_useful_effect": "below_useful_effect",
    "inconclusive": "inconclusive",
    "too_short": "inconclusive",
}
VERDICTS = ("confirmed", "contradicted", "below_useful_effect", "inconclusive")
STATUSES = ("registered", "running", "concluded", "decided", "abandoned")
OUTCOMES = ("scale", "spread", "iterate", "stop")
CONCLUDED = ["concluded", "decided"]


@dataclass(frozen=True)
class Scope:
    """Whose experiments (services: any of them, owning or partner; objective) and when."""

    start: dt.date
    end: dt.date
    services: tuple[str, ...] = ()
    objective: str = ""


# ---------------------------------------------------------------- the one helper


def experiment_conditions(services: tuple[str, ...] | list[str], objective: str = "") -> list:
    """THE helper: conditions on `Experiment` for « the experiments of these services
    (owning or partner) / of this strategic objective ». Empty: every experiment."""
    conditions = []
    if services:
        conditions.append(Experiment.id.is_in(ExperimentService.select(ExperimentService.experiment).where(
            ExperimentService.service.name.is_in(list(services)))))
    if objective:
        conditions.append(Experiment.id.is_in(ExperimentObjective.select(ExperimentObjective.experiment).where(
            ExperimentObjective.objective.title == objective)))
    return conditions


def experiment_ids(services: tuple[str, ...] | list[str], objective: str = "", *extra):
    """The same experiments, as a sub-select of ids (for tables pointing at an experiment)."""
    return _where(Experiment.select(Experiment.id), [*experiment_conditions(services, objective), *extra])


async def unknown_services(names: tuple[str, ...] | list[str]) -> list[str]:
    """Those of these service names that no service has (archived ones included), in their order."""
    if not names:
        return []
    # A name longer than any service's is unknown unasked.
    askable = [n for n in names if len(n) <= Service.name.length]
    rows = await Service.select(Service.name).where(Service.name.is_in(askable)) if askable else []
    known = {r["name"] for r in rows}
    return [n for n in names if n not in known]


async def objective_exists(title: str) -> bool:
    """A strategic objective of this title exists (archived ones included)."""
    if len(title) > Objective.title.length:
        return False
    return await Objective.exists().where(Objective.title == title)


# ---------------------------------------------------------------- helpers


def _where(query, conditions: list):
    for condition in conditions:
        query = query.where(condition)
    return query


def _bounds(scope: Scope) -> tuple[dt.datetime, dt.datetime]:
    """The period as instants, from the first day's midnight to the day after the last (Paris time)."""
    start = dt.datetime.combine(scope.start, dt.time(), TIMEZONE)
    end = dt.datetime.combine(scope.end + dt.timedelta(days=1), dt.time(), TIMEZONE)
    return start, end


def _registered(scope: Scope) -> list:
    start, end = _bounds(scope)
    return [*experiment_conditions(scope.services, scope.objective), Experiment.registered_at >= start,
            Experiment.registered_at < end]


def _verdict_in_period(scope: Scope) -> list:
    return [*experiment_conditions(scope.services, scope.objective), Experiment.first_verdict_on >= scope.start,
            Experiment.first_verdict_on <= scope.end]


def _decided_in_period(scope: Scope) -> list:
    return [*experiment_conditions(scope.services, scope.objective), Experiment.decided_on >= scope.start,
            Experiment.decided_on <= scope.end]


def _teams(column, services: tuple[str, ...]) -> list:
    """Journal rows of these teams (services); empty: every team."""
    return [column.is_in(list(services))] if services else []


def _counts(rows: list[dict], key: str, keys: tuple[str, ...]) -> dict[str, int]:
    counts = {k: 0 for k in keys}
    for row in rows:
        if row[key] in counts:
            counts[row[key]] += row["n"]
    return counts


# ---------------------------------------------------------------- figures


AMENDED = "SUM(CASE WHEN experiment.amendments_major > 0 OR experiment.amendments_minor > 0 THEN 1 ELSE 0 END)"
# COUNT(*), not COUNT(id): the review's compound indexes hold every column it reads (not
# the id on PostgreSQL), so that the database reads the index alone, never the rows.
ROWS = "COUNT(*)"


# The experiments' figures are four GROUP BYs, each over one covering index, sent as ONE
# statement (UNION ALL): every query costs several round trips to the database's thread.
# Each part gives the same columns: part, k, v, days, n, s1, s2, s3.
NULL, NO_DAYS = QueryString("NULL", alias="v"), QueryString("CAST(NULL AS INTEGER)", alias="days")


def _part(name: str, k, v, days, sums: tuple, conditions: list, group: tuple):
    nulls = [QueryString("NULL", alias=f"s{i}") for i in range(len(sums) + 1, 4)]
    return _where(Experiment.select(QueryString(f"'{name}'", alias="part"), k, v, days, QueryString(ROWS, alias="n"),
                                    *sums, *nulls), conditions).group_by(*group)


def _parts(scope: Scope) -> list:
    return [
        # Pre-registered in the period, by current status, with the amendments of their plans.
        _part("registered", Experiment.status.as_alias("k"), NULL, NO_DAYS,
              (Sum(Experiment.amendments_major, alias="s1"), Sum(Experiment.amendments_minor, alias="s2"),
               QueryString(AMENDED, alias="s3")), _registered(scope), (Experiment.status,)),
        # First verdict in the period: by status and snapshot verdict, with the learning cards.
        _part("verdict", Experiment.status.as_alias("k"), Experiment.verdict.as_alias("v"), NO_DAYS,
              (Sum(Experiment.learning_cards, alias="s1"),
               QueryString("SUM(CASE WHEN experiment.learning_cards = 0 THEN 1 ELSE 0 END)", alias="s2")),
              _verdict_in_period(scope), (Experiment.status, Experiment.verdict)),
        # Days from registration (its Paris date, written on every save) counted by value: a
        # few hundred rows, never one per experiment.
        _part("first_verdict", QueryString("NULL", alias="k"), NULL, Experiment.days_to_first_verdict.as_alias("days"),
              (), _verdict_in_period(scope), (Experiment.days_to_first_verdict,)),
        _part("decided", Experiment.decision_outcome.as_alias("k"), NULL, Experiment.days_to_decision.as_alias("days"),
              (), _decided_in_period(scope), (Experiment.decision_outcome, Experiment.days_to_decision)),
    ]


async def _experiment_figures(scope: Scope) -> dict:
    parts = _parts(scope)
    rows = await Experiment.raw(" UNION ALL ".join(["{}"] * len(parts)), *[p.querystrings[0] for p in parts])
    by_part: dict[str, list[dict]] = {p: [] for p in ("registered", "verdict", "first_verdict", "decided")}
    for row in rows:
        by_part[row["part"]].append(row)
    registered, verdict = by_part["registered"], by_part["verdict"]
    experiments = {"started": sum(r["n"] for r in registered), **_counts(registered, "k", STATUSES)}
    amended = {"major": _total(registered, "s1"), "minor": _total(registered, "s2"),
               "experiments": _total(registered, "s3")}
    # The verdicts of the concluded (or decided) ones having an evaluation snapshot
    # (`Experiment.verdict`: "" for a snapshot without verdict, inconclusive).
    verdicts = {k: 0 for k in VERDICTS}
    for row in verdict:
        if row["k"] in CONCLUDED and row["v"] is not None:
            verdicts[VERDICT_GROUPS.get(row["v"], "inconclusive")] += row["n"]
    return {"experiments": experiments, "verdicts": verdicts,
            "median_days": {"to_first_verdict": _median(by_part["first_verdict"]),
                            "to_decision": _median(by_part["decided"])},
            "learning": {"cards": _total(verdict, "s1"), "without_card": _total(verdict, "s2")},
            "amendments": amended, "decisions": _counts(by_part["decided"], "k", OUTCOMES)}


def _total(rows: list[dict], key: str) -> int:
    return int(sum(r[key] or 0 for r in rows))


def _median(rows: list[dict]) -> float | None:
    """The median of the days of rows counting them by value (`days`, `n`; no days: left out)."""
    counts: dict[int, int] = {}
    for row in rows:
        if row["days"] is not None:
            counts[row["days"]] = counts.get(row["days"], 0) + row["n"]
    total = sum(counts.values())
    if not total:
        return None
    middle, seen, low = (total - 1) // 2, 0, None
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > middle:
            low = value
        if seen > total // 2:
            return (low + value) / 2
    raise AssertionError("unreachable")


async def follow_up_counts(scope: Scope) -> dict[str, int]:
    """Follow-ups of the decisions of the period (scaling and spreading), by state."""
    conditions = [FollowUp.decided_on >= scope.start, FollowUp.decided_on <= scope.end]
    if scope.services or scope.objective:
        conditions.append(FollowUp.experiment.is_in(experiment_ids(scope.services, scope.objective)))
    rows = await _where(FollowUp.select(FollowUp.state, Count(FollowUp.id, alias="n")), conditions).group_by(
        FollowUp.state)
    return _counts(rows, "state", ("open", "adopted", "not_adopted"))


async def journal_by_team(scope: Scope) -> list[dict]:
    """Entries shared (published) in the period per team, with their reactions."""
    start, end = _bounds(scope)
    period = [JournalEntry.state == "published", JournalEntry.published_at >= start, JournalEntry.published_at < end,
              *_teams(JournalEntry.team.name, scope.services)]
    # One GROUP BY: each entry brings the number of its reactions (a sub-select on their index).
    rows = await _where(JournalEntry.select(
        JournalEntry.team.name.as_alias("team"), QueryString(ROWS, alias="n"),
        QueryString("SUM((SELECT COUNT(*) FROM journal_reaction WHERE journal_reaction.entry = journal_entry.id))",
                    alias="reactions")), period).group_by(JournalEntry.team.name)
    return sorted(({"service": r["team"] or "", "entries": r["n"], "reactions": int(r["reactions"] or 0)}
                   for r in rows), key=lambda r: (-r["entries"], r["service"]))


async def actions(scope: Scope, today: dt.date, limit: int = LIST_LIMIT) -> dict:
    """Action items still open across the services, the late ones first, with their owners
    (`limit` of them: the page shows the first ones, the CSV export all of them)."""
    # Only the actions of published entries: a draft's are its author's until it is shared.
    open_ = [JournalAction.done_at.is_null(), JournalAction.entry.state == "published",
             *_teams(JournalAction.entry.team.name, scope.services)]
    counts = await _where(JournalAction.select(
        QueryString(ROWS, alias="n"),
        QueryString("SUM(CASE WHEN journal_action.due_on < {} THEN 1 ELSE 0 END)", today, alias="late")),
        open_).first()
    total, late = counts["n"], int(counts["late"] or 0)
    rows = await _where(JournalAction.select(
        JournalAction.id, JournalAction.description, JournalAction.owner_role, JournalAction.due_on,
        JournalAction.entry.id.as_alias("entry"), JournalAction.entry.title.as_alias("entry_title"),
        JournalAction.entry.team.name.as_alias("service")), open_).order_by(JournalAction.due_on).order_by(
        JournalAction.id).limit(limit)
    return {"open": total, "late": late,
            "items": [{**r, "late": r["due_on"] < today} for r in rows]}


async def current_status_counts(services: tuple[str, ...]) -> dict[str, int]:
    """Every experiment of these services (owning or partner), whatever its dates, by current status."""
    rows = await _where(Experiment.select(Experiment.status, Count(Experiment.id, alias="n")),
                        experiment_conditions(services)).group_by(Experiment.status)
    return _counts(rows, "status", ("draft", *STATUSES))


async def drafts_of(services: tuple[str, ...]) -> list[dict]:
    """Draft experiments of these services, oldest first: plans waiting to be registered."""
    return await _where(Experiment.select(Experiment.slug, Experiment.title, Experiment.updated_at),
                        [*experiment_conditions(services), Experiment.status == "draft"]).order_by(
        Experiment.updated_at).limit(LIST_LIMIT)


async def figures(scope: Scope, today: dt.date, actions_limit: int = LIST_LIMIT) -> dict:
    """Every figure of the review."""
    return {
        **await _experiment_figures(scope),
        "follow_ups": await follow_up_counts(scope),
        "journal": await journal_by_team(scope),
        "actions": await actions(scope, today, actions_limit),
    }


# ---------------------------------------------------------------- the lists behind the figures

LISTS = ("started", *STATUSES, *(f"verdict-{v}" for v in VERDICTS), "without-card", "amended",
         *(f"decision-{o}" for o in OUTCOMES), "first-verdict", "decided-in-period")


@dataclass
class Row:
    slug: str
    title: str
    service: str
    status: str
    registered_at: dt.datetime | None
    first_verdict_on: dt.date | None
    decided_on: dt.date | None
    decision_outcome: str | None
    verdict: str | None = None
    extra: dict = field(default_factory=dict)


_COLUMNS = (Experiment.id, Experiment.slug, Experiment.title, Experiment.service.name.as_alias("service"),
            Experiment.status, Experiment.registered_at, Experiment.first_verdict_on, Experiment.decided_on,
            Experiment.decision_outcome, Experiment.verdict, Experiment.amendments_major, Experiment.amendments_minor)


def _list_conditions(scope: Scope, name: str) -> list:
    if name == "started":
        return _registered(scope)
    if name in STATUSES:
        return [*_registered(scope), Experiment.status == name]
    if name.startswith("verdict-"):
        # As `_experiment_figures` counts them: a verdict of no other group (or none) is inconclusive.
        group = name.removeprefix("verdict-")
        if group == "inconclusive":
            verdict = Experiment.verdict.not_in([k for k, v in VERDICT_GROUPS.items() if v != group])
        else:
            verdict = Experiment.verdict.is_in([k for k, v in VERDICT_GROUPS.items() if v == group])
        return [*_verdict_in_period(scope), Experiment.status.is_in(CONCLUDED), Experiment.verdict.is_not_null(),
                verdict]
    if name == "without-card":
        return [*_verdict_in_period(scope), Experiment.learning_cards == 0]
    if name == "amended":
        return [*_registered(scope), (Experiment.amendments_major > 0) | (Experiment.amendments_minor > 0)]
    if name == "first-verdict":
        return _verdict_in_period(scope)
    if name == "decided-in-period":
        return _decided_in_period(scope)
    if name.startswith("decision-"):
        return [*_decided_in_period(scope), Experiment.decision_outcome == name.removeprefix("decision-")]
    raise KeyError(name)


async def experiment_list(scope: Scope, name: str) -> list[Row]:
    """The experiments behind one figure (`LISTS`), most recent registration first."""
    rows = await _where(Experiment.select(*_COLUMNS), _list_conditions(scope, name)).order_by(
        Experiment.registered_at, ascending=False).order_by(Experiment.id).limit(LIST_LIMIT)
    return [Row(r["slug"], r["title"], r["service"], r["status"], r["registered_at"], r["first_verdict_on"],
                r["decided_on"], r["decision_outcome"], r["verdict"] or None,
                {"major": r["amendments_major"], "minor": r["amendments_minor"]}) for r in rows]


class _Card(msgspec.Struct):
    we_learned: str = ""
    therefore_we_will: str = ""


class _Iteration(msgspec.Struct):
    number: int
    learning: _Card | None = None


class _Cards(msgspec.Struct):
    """Only the learning cards of a document: the rest of it is skipped, not decoded."""

    iterations: list[_Iteration] = []


_cards = msgspec.json.Decoder(_Cards)


async def digest(scope: Scope, limit: int = DIGEST_LIMIT) -> list[dict]:
    """The learning cards of the period, readable as a digest: the documents of at most
    `limit` experiments having cards are read (their cards only), never every document."""
    rows = await _where(Experiment.select(Experiment.slug, Experiment.title, Experiment.document,
                                          Experiment.service.name.as_alias("service")),
                        [*_verdict_in_period(scope), Experiment.learning_cards > 0]).order_by(
        Experiment.first_verdict_on, ascending=False).order_by(Experiment.id).limit(limit)
    cards = []
    for row in rows:
        document = row["document"]
        doc = _cards.decode(document) if isinstance(document, (str, bytes)) else msgspec.convert(document, _Cards)
        for it in doc.iterations:
            if it.learning:
                cards.append({"experiment": row["slug"], "title": row["title"], "service": row["service"],
                              "iteration": it.number, "we_learned": it.learning.we_learned,
                              "therefore_we_will": it.learning.therefore_we_will})
    return cards
