"""JSON twins of the committee's pages, under /api/v1 (signed-in agents)."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Request, get
from litestar.params import FromPath, FromQuery

from tal import db
from tal.committee import candidate, services
from tal.core.http import actor_of, signed_in
from tal.evaluation import services as evaluation
from tal.experiments import services as register


class AgendaItemOut(msgspec.Struct):
    proposal: int
    experiment: str
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
    session: int | None
    url: str


class SessionOut(msgspec.Struct):
    id: int
    held_on: dt.date
    title: str
    members_present: list[str]
    notes: str
    version: int
    agenda: list[AgendaItemOut]
    url: str


class FollowUpOut(msgspec.Struct):
    id: int
    experiment: str
    service: str
    outcome: str
    decided_on: dt.date
    state: str
    adopted_on: dt.date | None
    follow_up: str | None
    note: str
    session: int | None
    version: int


class CandidateOut(msgspec.Struct):
    experiment: str
    status: str
    design: str
    evidence: str
    sample_size: int | None
    achieved_power: dict[str, float]
    guardrails: list[dict]
    learning_cards: int
    amendments: int
    decision: dict | None
    decisions: list[dict]
    proposals: list[AgendaItemOut]
    follow_ups: list[FollowUpOut]
    intervention: str | None
    url: str


def _item(i: services.AgendaItem) -> AgendaItemOut:
    return AgendaItemOut(i.proposal_id, i.slug, i.title, i.service, i.status, i.state, i.outcome, i.cost, i.effort,
                         i.beneficiaries, i.risks, i.proposed_at, i.session_id, f"/comite/candidats/{i.slug}")


def _session(s: services.SessionView) -> SessionOut:
    return SessionOut(s.id, s.held_on, s.title, s.members_present, s.notes, s.version, [_item(i) for i in s.agenda],
                      f"/comite/seances/{s.id}")


def _follow_up(u: services.FollowUpView) -> FollowUpOut:
    return FollowUpOut(u.id, u.slug, u.service, u.outcome, u.decided_on, u.state, u.adopted_on, u.follow_up, u.note,
                       u.session_id, u.version)


TAGS = ["Comité"]


@get("/api/v1/committee/sessions", summary="Les séances du comité transversal", tags=TAGS)
async def list_sessions(request: Request) -> list[SessionOut]:
    signed_in(request)
    async with db.transaction(write=False):
        return [_session(s) for s in await services.sessions()]


@get("/api/v1/committee/sessions/{session_id:int}", summary="Une séance : membres présents, ordre du jour, décisions",
     tags=TAGS)
async def one_session(request: Request, session_id: FromPath[int]) -> SessionOut:
    signed_in(request)
    async with db.transaction(write=False):
        return _session(await services.session(session_id))


@get("/api/v1/committee/proposals", summary="La file des propositions en attente de décision", tags=TAGS)
async def list_proposals(request: Request) -> list[AgendaItemOut]:
    signed_in(request)
    async with db.transaction(write=False):
        return [_item(i) for i in await services.proposals()]


@get("/api/v1/committee/follow-ups", summary="Les suivis des généralisations et essaimages", tags=TAGS,
     description="`open=1` : seulement les suivis encore ouverts.")
async def list_follow_ups(request: Request, open: FromQuery[int] = 0) -> list[FollowUpOut]:
    signed_in(request)
    async with db.transaction(write=False):
        return [_follow_up(u) for u in await services.follow_ups(open_only=open == 1)]


@get("/api/v1/committee/candidates/{slug:str}", summary="Ce que le comité lit d'une expérimentation candidate",
     tags=TAGS)
async def one_candidate(request: Request, slug: FromPath[str]) -> CandidateOut:
    signed_in(request)
    async with db.transaction(write=False):
        view = await register.get(slug, actor_of(request))
        found = await evaluation.current(slug, view.doc)
        proposals = await services.proposals_of(slug)
        follow_ups = await services.follow_ups(slug=slug)
    doc = view.doc
    facts = candidate.facts(doc, found.result)
    return CandidateOut(
        experiment=slug, status=doc.experiment.status, design=doc.experiment.design, evidence=facts.evidence,
        sample_size=facts.sample_size, achieved_power=dict(facts.power),
        guardrails=[{"metric": g.metric, "iteration": g.iteration, "verdict": g.verdict} for g in facts.guardrails],
        learning_cards=facts.learning_cards, amendments=len(doc.amendments),
        decision=msgspec.to_builtins(doc.decision) if doc.decision else None,
        decisions=msgspec.to_builtins(doc.decisions), proposals=[_item(i) for i in proposals],
        follow_ups=[_follow_up(u) for u in follow_ups], intervention=doc.experiment.intervention,
        url=f"/comite/candidats/{slug}",
    )


ROUTES = [list_sessions, one_session, list_proposals, list_follow_ups, one_candidate]
