"""The committee's rules: sessions, proposals on their agendas, decisions, follow-ups.

A decision is written on the experiment through the register's single write path
(`tal.experiments.services.decide`, which calls `save`), dated by its session and
carrying the members present; the proposal and the follow-ups are kept here. Only
committee members (and admins) record sessions and decisions. Callers open the
transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tal.accounts.actor import Actor, can_decide
from tal.accounts.tables import Service
from tal.committee.tables import FOLLOW_UP_STATES, CommitteeSession, FollowUp, Proposal
from tal.core.errors import Conflict, DomainError, Forbidden, NotFound
from tal.core.validation import convert
from tal.db import MAX_ID, json_value
from tal.experiments import services as register
from tal.experiments.schemas import Decision
from tal.experiments.tables import Experiment
from tal.i18n import N_

MAX_TEXT = 2000
MAX_TITLE = 200
MAX_NAME = 120
MAX_MEMBERS = 40
OPEN_PROPOSALS = ("proposed", "scheduled")
SCALING = ("scale", "spread")

STALE = N_("quelqu'un a modifié cet élément entre-temps\u202f: rechargez la page et recommencez")
TOO_LONG = {
    MAX_TITLE: N_("trop long : 200 caractères au plus"),
    MAX_TEXT: N_("trop long : 2 000 caractères au plus"),
    5000: N_("trop long : 5 000 caractères au plus"),
}
COMMITTEE_ONLY = N_("seuls les membres du comité transversal enregistrent les séances et les décisions")


@dataclass
class SessionInput:
    held_on: dt.date
    title: str
    members_present: list[str]
    notes: str = ""


@dataclass
class CaseInput:
    """The short case of a proposal."""

    cost: str
    effort: str
    beneficiaries: str
    risks: str


@dataclass
class AgendaItem:
    proposal_id: int
    slug: str
    title: str
    service: str
    status: str
    state: str
    outcome: str | None
    cost: str
    effort: str
    beneficiaries: str
    risks: str
    proposed_at: dt.datetime
    session_id: int | None = None
    experiment_version: int = 0
    version: int = 0


@dataclass
class SessionView:
    id: int
    held_on: dt.date
    title: str
    members_present: list[str]
    notes: str
    version: int
    agenda: list[AgendaItem] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return sum(1 for item in self.agenda if item.state == "decided")


@dataclass
class FollowUpView:
    id: int
    slug: str
    title: str
    service: str
    outcome: str
    decided_on: dt.date
    state: str
    adopted_on: dt.date | None
    follow_up: str | None
    note: str
    session_id: int | None
    version: int


def require_committee(actor: Actor | None) -> Actor:
    if not can_decide(actor):
        raise Forbidden(COMMITTEE_ONLY)
    return actor


def _text(value: str, path: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise DomainError(N_("ne peut pas être vide"), path)
    if len(value) > limit:
        raise DomainError(TOO_LONG[limit], path)
    return value


def check_session(data: SessionInput) -> SessionInput:
    title = _text(data.title, "title", required=True, limit=MAX_TITLE)
    members = [m.strip() for m in data.members_present if m.strip()]
    if not members:
        raise DomainError(N_("indiquez au moins un membre présent, un par ligne"), "members_present")
    if len(members) > MAX_MEMBERS:
        raise DomainError(N_("trop de membres : 40 au plus"), "members_present")
    for member in members:
        if len(member) > MAX_NAME:
            raise DomainError(N_("nom trop long : 120 caractères au plus"), "members_present")
    return SessionInput(data.held_on, title, members, _text(data.notes, "notes"))


def check_case(data: CaseInput) -> CaseInput:
    return CaseInput(*(_text(getattr(data, name), name, required=True) for name in
                       ("cost", "effort", "beneficiaries", "risks")))


def _members(value) -> list[str]:
    return list(json_value(value) or [])


# ---------------------------------------------------------------- sessions


async def create_session(actor: Actor | None, data: SessionInput) -> int:
    require_committee(actor)
    data = check_session(data)
    row = CommitteeSession(held_on=data.held_on, title=data.title, members_present=data.members_present,
                           notes=data.notes, created_by=actor.id if actor and actor.id else None)
    await row.save()
    return row.id


async def _session_row(session_id: int) -> dict:
    row = await CommitteeSession.select().where(CommitteeSession.id == session_id).first() \
        if 0 < session_id <= MAX_ID else None
    if row is None:
        raise NotFound(N_("aucune séance du comité avec ce numéro"))
    return row


async def _decided_at(session_id: int) -> int:
    return await Proposal.count().where((Proposal.session == session_id) & (Proposal.state == "decided"))


def today() -> dt.date:
    return dt.date.today()


async def _check_open(row: dict, on: dt.date | None = None) -> None:
    """A past session whose decisions are recorded is closed: it no longer changes."""
    if row["held_on"] < (on or today()) and await _decided_at(row["id"]):
        raise DomainError(N_("cette séance est passée et ses décisions sont enregistrées : elle ne se modifie plus"),
                          "held_on")


async def update_session(actor: Actor | None, session_id: int, data: SessionInput, expected_version: int) -> None:
    require_committee(actor)
    row = await _session_row(session_id)
    if expected_version != row["version"]:
        raise Conflict(STALE, "version")
    await _check_open(row)
    data = check_session(data)
    changed = await CommitteeSession.update({
        CommitteeSession.held_on: data.held_on, CommitteeSession.title: data.title,
        CommitteeSession.members_present: data.members_present, CommitteeSession.notes: data.notes,
        CommitteeSession.version: row["version"] + 1,
    }).where((CommitteeSession.id == session_id) & (CommitteeSession.version == row["version"])).returning(
        CommitteeSession.id)
    if not changed:
        raise Conflict(STALE, "version")


def _view(row: dict) -> SessionView:
    return SessionView(row["id"], row["held_on"], row["title"], _members(row["members_present"]), row["notes"],
                       row["version"])


async def sessions() -> list[SessionView]:
    """Every session, the most recent first, with its number of decisions."""
    rows = await CommitteeSession.select().order_by(CommitteeSession.held_on, ascending=False).order_by(
        CommitteeSession.id, ascending=False)
    views = [_view(r) for r in rows]
    items = await _agenda([v.id for v in views]) if views else []
    for view in views:
        view.agenda = [i for i in items if i.session_id == view.id]
    return views


async def session(session_id: int) -> SessionView:
    view = _view(await _session_row(session_id))
    view.agenda = await _agenda([session_id])
    return view


async def next_session(on: dt.date | None = None) -> SessionView | None:
    row = await CommitteeSession.select().where(CommitteeSession.held_on >= (on or today())).order_by(
        CommitteeSession.held_on).first()
    return await session(row["id"]) if row else None


_AGENDA_COLUMNS = (
    Proposal.id, Proposal.session, Proposal.state, Proposal.outcome, Proposal.cost, Proposal.effort,
    Proposal.beneficiaries, Proposal.risks, Proposal.created_at, Proposal.version,
    Proposal.experiment.slug.as_alias("slug"), Proposal.experiment.title.as_alias("title"),
    Proposal.experiment.status.as_alias("status"), Proposal.experiment.version.as_alias("experiment_version"),
    Proposal.experiment.service.name.as_alias("service"),
)


def _item(r: dict) -> AgendaItem:
    return AgendaItem(r["id"], r["slug"], r["title"], r["service"], r["status"], r["state"], r["outcome"], r["cost"],
                      r["effort"], r["beneficiaries"], r["risks"], r["created_at"], r["session"],
                      r["experiment_version"], r["version"])


async def _agenda(session_ids: list[int]) -> list[AgendaItem]:
    rows = await Proposal.select(*_AGENDA_COLUMNS).where(Proposal.session.is_in(session_ids)).order_by(Proposal.id)
    return [_item(r) for r in rows]


# ---------------------------------------------------------------- proposals


async def propose(actor: Actor | None, slug: str, case: CaseInput) -> int:
    """Any agent proposes a concluded experiment for a decision, with its short case."""
    if actor is None:
        raise Forbidden(N_("connectez-vous pour proposer une expérimentation au comité"))
    row = await Experiment.select(Experiment.id, Experiment.status).where(Experiment.slug == slug).first()
    if row is None:
        raise NotFound(N_("aucune expérimentation avec cette adresse"))
    if row["status"] != "concluded":
        raise DomainError(N_("seule une expérimentation conclue peut être proposée au comité"), "status")
    if await Proposal.exists().where((Proposal.experiment == row["id"]) & Proposal.state.is_in(list(OPEN_PROPOSALS))):
        raise DomainError(N_("cette expérimentation est déjà proposée au comité"), "slug")
    case = check_case(case)
    proposal = Proposal(experiment=row["id"], proposed_by=actor.id or None, cost=case.cost, effort=case.effort,
                        beneficiaries=case.beneficiaries, risks=case.risks)
    await proposal.save()
    return proposal.id


async def proposals(states: tuple[str, ...] = OPEN_PROPOSALS) -> list[AgendaItem]:
    """The decision queue: proposals waiting for a session or on an agenda, oldest first."""
    rows = await Proposal.select(*_AGENDA_COLUMNS).where(Proposal.state.is_in(list(states))).order_by(
        Proposal.created_at).order_by(Proposal.id)
    return [_item(r) for r in rows]


async def proposals_of(slug: str) -> list[AgendaItem]:
    rows = await Proposal.select(*_AGENDA_COLUMNS).where(Proposal.experiment.slug == slug).order_by(Proposal.id)
    return [_item(r) for r in rows]


async def schedule(actor: Actor | None, proposal_id: int, session_id: int, expected_version: int) -> None:
    """The committee puts a proposal on a session's agenda."""
    require_committee(actor)
    proposal = await Proposal.select().where(Proposal.id == proposal_id).first() if 0 < proposal_id <= MAX_ID else None
    if proposal is None:
        raise NotFound(N_("aucune proposition avec ce numéro"))
    if proposal["version"] != expected_version:
        raise Conflict(STALE, "version")
    if proposal["state"] not in OPEN_PROPOSALS:
        raise DomainError(N_("cette proposition a déjà reçu sa décision"), "session")
    await _check_open(await _session_row(session_id))
    changed = await Proposal.update({Proposal.session: session_id, Proposal.state: "scheduled",
                                     Proposal.version: proposal["version"] + 1}).where(
        (Proposal.id == proposal_id) & (Proposal.version == proposal["version"])).returning(Proposal.id)
    if not changed:
        raise Conflict(STALE, "version")


# ---------------------------------------------------------------- decisions


@dataclass
class DecisionInput:
    slug: str
    outcome: str
    rationale: str
    target_services: list[str] = field(default_factory=list)


async def decide(actor: Actor | None, session_id: int, data: DecisionInput, expected_version: int) -> int:
    """Record the session's decision on an experiment of its agenda; returns the follow-ups opened.

    The decision is dated by the session and carries its members present; a previous
    decision of the experiment is kept (superseded, never rewritten)."""
    require_committee(actor)
    row = await _session_row(session_id)
    proposal = await Proposal.select(Proposal.id, Proposal.version, Proposal.experiment.service.name.as_alias(
        "owner")).where((Proposal.session == session_id) & (Proposal.experiment.slug == data.slug)
                        & (Proposal.state == "scheduled")).first()
    if proposal is None:
        raise DomainError(N_("cette expérimentation n'est pas à l'ordre du jour de cette séance"), "slug")
    rationale = _text(data.rationale, "decision.rationale", required=True, limit=5000)
    targets = list(dict.fromkeys(t.strip() for t in data.target_services if t.strip()))
    if data.outcome == "spread" and not targets:
        raise DomainError(N_("essaimer : choisissez au moins un service où diffuser"), "decision.target_services")
    if data.outcome == "scale" and not targets:
        targets = [proposal["owner"]]
    if data.outcome not in SCALING:
        targets = []
    decision = convert({"outcome": data.outcome, "decided_on": row["held_on"].isoformat(), "rationale": rationale,
                        "target_services": targets, "members_present": _members(row["members_present"])},
                       Decision, "decision")
    # The single write path: refuses an experiment that is not concluded, writes nothing then.
    await register.decide(data.slug, decision, actor, expected_version=expected_version)
    changed = await Proposal.update({Proposal.state: "decided", Proposal.outcome: data.outcome,
                                     Proposal.version: proposal["version"] + 1}).where(
        (Proposal.id == proposal["id"]) & (Proposal.version == proposal["version"])).returning(Proposal.id)
    if not changed:
        raise Conflict(STALE, "version")
    if data.outcome not in SCALING:
        return 0
    experiment = await Experiment.select(Experiment.id).where(Experiment.slug == data.slug).first()
    ids = {r["name"]: r["id"] for r in await Service.select(Service.id, Service.name).where(Service.name.is_in(targets))}
    for name in targets:
        await FollowUp.insert(FollowUp(experiment=experiment["id"], service=ids[name], session=session_id,
                                       outcome=data.outcome, decided_on=row["held_on"]))
    return len(targets)


# ---------------------------------------------------------------- follow-ups


_FOLLOW_UP_COLUMNS = (
    FollowUp.id, FollowUp.outcome, FollowUp.decided_on, FollowUp.state, FollowUp.adopted_on, FollowUp.note,
    FollowUp.session, FollowUp.version, FollowUp.experiment.slug.as_alias("slug"),
    FollowUp.experiment.title.as_alias("title"), FollowUp.service.name.as_alias("service"),
    FollowUp.follow_up.slug.as_alias("follow_up_slug"),
)


def _follow_up(r: dict) -> FollowUpView:
    return FollowUpView(r["id"], r["slug"], r["title"], r["service"], r["outcome"], r["decided_on"], r["state"],
                        r["adopted_on"], r["follow_up_slug"], r["note"], r["session"], r["version"])


async def follow_ups(open_only: bool = False, slug: str | None = None) -> list[FollowUpView]:
    query = FollowUp.select(*_FOLLOW_UP_COLUMNS)
    if open_only:
        query = query.where(FollowUp.state == "open")
    if slug is not None:
        query = query.where(FollowUp.experiment.slug == slug)
    rows = await query.order_by(FollowUp.decided_on).order_by(FollowUp.id)
    return [_follow_up(r) for r in rows]


@dataclass
class FollowUpInput:
    state: str
    adopted_on: dt.date | None = None
    follow_up: str = ""
    note: str = ""


async def update_follow_up(actor: Actor | None, follow_up_id: int, data: FollowUpInput, expected_version: int) -> None:
    """The committee, or the target service's team, says whether the service adopted it,
    when, and which experiment checks that it still works there."""
    row = await FollowUp.select(*_FOLLOW_UP_COLUMNS).where(FollowUp.id == follow_up_id).first() \
        if 0 < follow_up_id <= MAX_ID else None
    if row is None:
        raise NotFound(N_("aucun suivi avec ce numéro"))
    if actor is None or not (can_decide(actor) or actor.service == row["service"]):
        raise Forbidden(N_("seuls le comité et le service concerné mettent à jour ce suivi"))
    if row["version"] != expected_version:
        raise Conflict(STALE, "version")
    if data.state not in FOLLOW_UP_STATES:
        raise DomainError(N_("choisissez : en cours, adopté ou non adopté"), "state")
    if data.state == "adopted" and data.adopted_on is None:
        raise DomainError(N_("indiquez la date d'adoption"), "adopted_on")
    if data.adopted_on is not None and data.adopted_on < row["decided_on"]:
        raise DomainError(N_("l'adoption ne peut pas précéder la décision"), "adopted_on")
    follow_up_id_value = None
    if data.follow_up.strip():
        found = await Experiment.select(Experiment.id).where(Experiment.slug == data.follow_up.strip()[:80]).first()
        if found is None:
            raise DomainError(N_("aucune expérimentation avec cette adresse"), "follow_up")
        follow_up_id_value = found["id"]
    changed = await FollowUp.update({
        FollowUp.state: data.state, FollowUp.adopted_on: data.adopted_on if data.state != "open" else None,
        FollowUp.follow_up: follow_up_id_value, FollowUp.note: _text(data.note, "note"),
        FollowUp.updated_at: dt.datetime.now(dt.timezone.utc), FollowUp.version: row["version"] + 1,
    }).where((FollowUp.id == follow_up_id) & (FollowUp.version == row["version"])).returning(FollowUp.id)
    if not changed:
        raise Conflict(STALE, "version")
