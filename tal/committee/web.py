"""The committee's pages: sessions and their agendas, proposals, the candidate page,
decisions and the follow-ups of what was scaled or spread."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tal import db
from tal.accounts.actor import can_decide
from tal.accounts.services import service_names
from tal.audit.requests import record_request
from tal.committee import candidate, services
from tal.core.errors import DomainError
from tal.core.http import signed_in
from tal.core.templating import language, render
from tal.experiments import forms
from tal.experiments.web import detail_context
from tal.i18n import N_, translations
from tal.journal.web import parse_date


def _number(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 10 else -1


def session_from(form: FormMultiDict) -> services.SessionInput:
    forms.require(form, ("held_on", "title", "members_present", "notes"))
    held_on = parse_date(forms.get(form, "held_on")[:20], "held_on")
    if held_on is None:
        raise DomainError(N_("la date de la séance est obligatoire"), "held_on")
    members = forms.get(form, "members_present").replace("\r\n", "\n").split("\n")
    return services.SessionInput(held_on, forms.get(form, "title"), members, forms.get(form, "notes"))


def case_from(form: FormMultiDict) -> services.CaseInput:
    names = ("cost", "effort", "beneficiaries", "risks")
    forms.require(form, names)
    return services.CaseInput(*(forms.get(form, name) for name in names))


async def _home_context(request: Request) -> dict[str, Any]:
    async with db.transaction(write=False):
        return {"sessions": await services.sessions(), "queue": await services.proposals(("proposed",)),
                "next": await services.next_session(), "open_follow_ups": len(await services.follow_ups(True))}


@get("/comite", name="committee")
async def committee_home(request: Request) -> Template:
    actor = signed_in(request)
    return render(request, "committee/home.html", error=None, form=None, can_record=can_decide(actor),
                  **await _home_context(request))


@post("/comite/seances")
async def create_session(request: Request) -> Response:
    actor = signed_in(request)
    services.require_committee(actor)
    form = await request.form()
    try:
        data = session_from(form)
        async with db.transaction():
            session_id = await services.create_session(actor, data)
            await record_request(request, actor, "committee.session.create", str(session_id),
                                 {"held_on": data.held_on.isoformat()})
    except DomainError as exc:
        return render(request, "committee/home.html", status_code=exc.status_code, error=exc, form=form,
                      can_record=True, **await _home_context(request))
    return Redirect(f"/comite/seances/{session_id}", status_code=303)


async def _session_page(request: Request, session_id: int, status: int = 200, **context: Any) -> Template:
    actor = signed_in(request)
    async with db.transaction(write=False):
        view = await services.session(session_id)
        names = await service_names()
        queue = await services.proposals(("proposed",))
    context = {"error": None, "form": None, "decision_form": None, **context}
    return render(request, "committee/session.html", status_code=status, s=view, services=names, queue=queue,
                  can_record=can_decide(actor), **context)


@get("/comite/seances/{session_id:int}", name="committee_session")
async def session_page(request: Request, session_id: FromPath[int]) -> Template:
    return await _session_page(request, session_id)


@post("/comite/seances/{session_id:int}")
async def edit_session(request: Request, session_id: FromPath[int]) -> Response:
    actor = signed_in(request)
    services.require_committee(actor)
    form = await request.form()
    try:
        expected = forms.version(form)
        data = session_from(form)
        async with db.transaction():
            await services.update_session(actor, session_id, data, expected)
            await record_request(request, actor, "committee.session.edit", str(session_id),
                                 {"held_on": data.held_on.isoformat()})
    except DomainError as exc:
        return await _session_page(request, session_id, exc.status_code, error=exc, form=form)
    return Redirect(f"/comite/seances/{session_id}", status_code=303)


@post("/comite/seances/{session_id:int}/decisions")
async def decide(request: Request, session_id: FromPath[int]) -> Response:
    actor = signed_in(request)
    services.require_committee(actor)
    form = await request.form()
    try:
        forms.require(form, ("slug", "decision.outcome", "decision.rationale"))
        expected = forms.version(form)
        data = services.DecisionInput(forms.get(form, "slug")[:80], forms.get(form, "decision.outcome")[:10],
                                      forms.get(form, "decision.rationale"), forms.getall(form, "decision.target_services"))
        async with db.transaction():
            opened = await services.decide(actor, session_id, data, expected)
            await record_request(request, actor, "experiment.decide", data.slug,
                                 {"outcome": data.outcome, "session": session_id, "follow_ups": opened})
    except DomainError as exc:
        return await _session_page(request, session_id, exc.status_code, error=exc, decision_form=form)
    return Redirect(f"/comite/seances/{session_id}#decision-{data.slug}", status_code=303)


@post("/comite/propositions/{proposal_id:int}/inscrire")
async def schedule(request: Request, proposal_id: FromPath[int]) -> Response:
    actor = signed_in(request)
    services.require_committee(actor)
    form = await request.form()
    expected = forms.version(form)
    session_id = _number(forms.get(form, "session"))
    async with db.transaction():
        await services.schedule(actor, proposal_id, session_id, expected)
        await record_request(request, actor, "committee.schedule", str(proposal_id), {"session": session_id})
    return Redirect(f"/comite/seances/{session_id}", status_code=303)


async def _proposal_page(request: Request, slug: str, status: int = 200, **context: Any) -> Template:
    signed_in(request)
    page = await detail_context(request, slug)
    async with db.transaction(write=False):
        existing = await services.proposals_of(slug)
    context = {"error": None, "form": None, **context}
    return render(request, "committee/propose.html", status_code=status, view=page["view"], doc=page["doc"],
                  existing=existing, **context)


@get("/comite/proposer/{slug:str}", name="committee_propose")
async def propose_page(request: Request, slug: FromPath[str]) -> Template:
    return await _proposal_page(request, slug)


@post("/comite/proposer/{slug:str}")
async def propose(request: Request, slug: FromPath[str]) -> Response:
    actor = signed_in(request)
    form = await request.form()
    try:
        case = case_from(form)
        async with db.transaction():
            proposal_id = await services.propose(actor, slug, case)
            await record_request(request, actor, "committee.propose", slug, {"proposal": proposal_id})
    except DomainError as exc:
        return await _proposal_page(request, slug, exc.status_code, error=exc, form=form)
    return Redirect(f"/comite/candidats/{slug}", status_code=303)


@get("/comite/candidats/{slug:str}", name="committee_candidate")
async def candidate_page(request: Request, slug: FromPath[str]) -> Template:
    """Everything the committee needs to decide, on one page."""
    actor = signed_in(request)
    page = await detail_context(request, slug)
    view = page["view"]
    pooled, metrics = None, []
    async with db.transaction(write=False):
        proposals = await services.proposals_of(slug)
        follow_ups = await services.follow_ups(slug=slug)
        if view.doc.experiment.intervention:
            from tal.replications import services as replications
            from tal.replications.present import present

            pooled = await replications.pooled(view.doc.experiment.intervention, actor)
    if pooled is not None and pooled.result is not None:
        lang = language(request)
        metrics = present(pooled, translations(lang).gettext, lang)
    facts = candidate.facts(view.doc, page["evaluation"].result)
    from tal.evaluation.sentences import VERDICT_SHORT

    return render(request, "committee/candidate.html", facts=facts, verdicts=VERDICT_SHORT, proposals=proposals, follow_ups=follow_ups,
                  pooled=pooled, pooled_metrics=metrics, **page)


@get("/comite/suivis", name="committee_follow_ups")
async def follow_ups_page(request: Request) -> Template:
    signed_in(request)
    async with db.transaction(write=False):
        found = await services.follow_ups(open_only=True)
    return render(request, "committee/follow_ups.html", follow_ups=found, error=None)


def follow_up_from(form: FormMultiDict) -> services.FollowUpInput:
    forms.require(form, ("state", "adopted_on", "follow_up", "note"))
    return services.FollowUpInput(forms.get(form, "state")[:12], parse_date(forms.get(form, "adopted_on")[:20],
                                  "adopted_on"), forms.get(form, "follow_up")[:200], forms.get(form, "note"))


@post("/comite/suivis/{follow_up_id:int}")
async def update_follow_up(request: Request, follow_up_id: FromPath[int]) -> Response:
    actor = signed_in(request)
    form = await request.form()
    try:
        expected = forms.version(form)
        data = follow_up_from(form)
        async with db.transaction():
            await services.update_follow_up(actor, follow_up_id, data, expected)
            await record_request(request, actor, "committee.follow_up", str(follow_up_id), {"state": data.state})
    except DomainError as exc:
        async with db.transaction(write=False):
            found = await services.follow_ups(open_only=True)
        return render(request, "committee/follow_ups.html", status_code=exc.status_code, follow_ups=found, error=exc)
    return Redirect("/comite/suivis", status_code=303)


ROUTES = [committee_home, create_session, session_page, edit_session, decide, schedule, propose_page, propose,
          candidate_page, follow_ups_page, update_follow_up]
