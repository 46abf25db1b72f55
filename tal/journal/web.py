"""The journal's pages: list, entry, writing with the blame-language check, publication,
reactions, comments, actions, feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tal import db
from tal.accounts.services import service_names
from tal.audit.requests import record_request
from tal.core.errors import Conflict, DomainError, Forbidden
from tal.core.http import actor_of, signed_in
from tal.core.templating import flash, render
from tal.core.validation import convert
from tal.i18n import N_
from tal.experiments import forms
from tal.journal import services, tags
from tal.journal.schemas import ActionInput, EntryInput
from tal.journal.tables import REACTIONS
from tal.journal.wording_form import SentenceReview, apply_choices, review_fields

TEXT_FIELDS = ("what_happened", "what_we_expected", "contributing_factors", "what_went_well", "what_we_learned",
               "what_we_change")


def to_entry(entry_id: int) -> Redirect:
    return Redirect(f"/journal/{entry_id}", status_code=303)


def parse_date(value: str, path: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(N_("date attendue au format AAAA-MM-JJ"), path) from None


# Every field the edit form shows (box lists and the signature box carry a marker).
# Required fields, each with the plain message shown when it is left empty (all at once).
REQUIRED = {"title": N_("Indiquez un titre."), "happened_on": N_("Indiquez la date à laquelle c'est arrivé."),
            "what_happened": N_("Racontez ce qui s'est passé.")}
EDIT_FIELDS = ("title", "happened_on", *TEXT_FIELDS, "tags", "services", "experiment", "iteration", "signed")


def entry_from(form: FormMultiDict) -> EntryInput:
    data: dict[str, Any] = forms.fields(form, {"title": forms.text, **{f: forms.text for f in TEXT_FIELDS}})
    happened = parse_date(forms.get(form, "happened_on"), "happened_on")
    if happened is not None:
        data["happened_on"] = happened
    data["tags"] = [t for t in form.getall("tags", []) if t]
    data["services"] = [s for s in form.getall("services", []) if s]
    data["signed"] = forms.checkbox(forms.get(form, "signed"), "signed")
    experiment = forms.get(form, "experiment").strip()
    if experiment:
        data["experiment"] = experiment
    iteration = forms.integer(forms.get(form, "iteration"), "iteration")
    if iteration is not None:
        data["iteration"] = iteration
    return convert(data, EntryInput)


async def blame_findings(entry: EntryInput, names: list[str]) -> list[SentenceReview]:
    """Every sentence that blames a person rather than a system, with its rewording."""
    return await review_fields({field: getattr(entry, field) for field in ("title", *TEXT_FIELDS)}, names)


async def form_context(request: Request) -> dict[str, Any]:
    async with db.transaction(write=False):
        return {"tags": await services.tag_names(), "services": await service_names()}


async def people_names() -> list[str]:
    from tal.accounts.tables import Account

    rows = await Account.select(Account.display_name)
    return [r["display_name"] for r in rows if " " in r["display_name"]]


# ---------------------------------------------------------------- reading


@get("/journal", name="journal")
async def journal_list(
    request: Request,
    service: FromQuery[str] = "",
    tag: FromQuery[str] = "",
    experiment: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
    q: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Template:
    actor = actor_of(request)
    filters = services.JournalFilters(service[:120], tag[:40], experiment[:80], parse_date(since, "since"),
                                      parse_date(until, "until"), q[:200], max(1, min(page, 10_000)))
    async with db.transaction(write=False):
        results = await services.search(filters, actor)
        drafts = await services.team_drafts(actor)
        late = await services.late_actions(actor)
        echo = await services.team_echo(actor)
    return render(request, "journal/list.html", results=results, filters=filters, drafts=drafts, late=late, echo=echo,
                  **await form_context(request))


@get("/journal/{entry_id:int}", name="journal_entry")
async def entry_page(request: Request, entry_id: FromPath[int]) -> Template:
    actor = actor_of(request)
    async with db.transaction():
        view = await services.get(entry_id, actor)
        if view.row["state"] == "published":
            await services.mark_read(actor, entry_id, view.row["author"])
    return render(request, "journal/entry.html", view=view, e=view.row, reactions=REACTIONS, error=None,
                  revealed=None)


# ---------------------------------------------------------------- writing


@get("/journal/nouvelle", name="journal_new")
async def new_entry_page(request: Request, experience: FromQuery[str] = "", iteration: FromQuery[int | None] = None) -> Template:
    """A new entry; from an experiment's learning card, pre-filled."""
    actor = signed_in(request)
    prefill: dict[str, str] = {}
    if experience:
        from tal.experiments import services as experiments

        async with db.transaction(write=False):
            view = await experiments.get(experience[:80], actor)
        it = next((i for i in view.doc.iterations if i.number == iteration), view.doc.iterations[-1] if view.doc.iterations else None)
        prefill = {"experiment": view.slug, "title": f"Ce que « {view.doc.experiment.title} » nous a appris"[:200]}
        if it is not None:
            prefill["iteration"] = str(it.number)
            prefill["happened_on"] = (it.ended_on or it.started_on).isoformat()
            if it.learning:
                prefill.update(what_we_expected=it.learning.we_believed, what_happened=it.learning.we_observed,
                               what_we_learned=it.learning.we_learned, what_we_change=it.learning.therefore_we_will)
    return render(request, "journal/form.html", entry=None, form=prefill or None, error=None, findings=[],
                  selected_tags=[], selected_services=[], **await form_context(request))


def selection(form: FormMultiDict) -> dict[str, list[str]]:
    return {"selected_tags": form.getall("tags", []), "selected_services": form.getall("services", [])}


async def _save_form(request: Request, entry_id: int | None) -> Response:
    actor = signed_in(request)
    form = await request.form()
    findings: list = []
    applied = None
    try:
        if entry_id is not None:
            async with db.transaction(write=False):
                current = await services.get(entry_id, actor)
            if not current.can_edit:
                raise Forbidden(N_("seul l'auteur ou l'autrice de l'entrée peut la modifier"))
            if forms.version(form) != current.row["version"]:
                raise Conflict(services.STALE, "version")
            forms.require(form, EDIT_FIELDS)
        action = forms.get(form, "action")
        if action == "reword":  # the author's choices on the suggested rewordings, then a new review
            form, applied = apply_choices(form, ("title", *TEXT_FIELDS))
        forms.require_filled(form, REQUIRED)
        entry = entry_from(form)
        new_tags = tags.parse(forms.get(form, tags.FIELD), entry.tags)
        async with db.transaction(write=False):
            names = await people_names()
        findings = await blame_findings(entry, names)
        published = False
        if entry_id is not None:
            async with db.transaction(write=False):
                published = (await services.get(entry_id, actor)).row["state"] == "published"
        # The wording is reviewed whenever the text is, or becomes, visible to every agent.
        keep = forms.checkbox(forms.get(form, "keep_wording"), "")
        if action in ("check", "reword") or (findings and (action == "publish" or published) and not keep):
            return render(request, "journal/form.html", status_code=200, entry=entry_id, form=form, error=None,
                          findings=findings, checked=True, applied=applied, **selection(form),
                          **await form_context(request))
        async with db.transaction():
            if new_tags:
                added = await tags.add(new_tags)
                entry = msgspec.structs.replace(entry, tags=list(dict.fromkeys([*entry.tags, *added])))
            if entry_id is None:
                entry_id = await services.create(actor, entry)
            else:
                await services.update(actor, entry_id, entry, forms.version(form))
            if forms.get(form, "action") == "publish":
                row = await services._row(entry_id)
                if row["state"] == "draft":
                    await services.publish(actor, entry_id)
                    await record_request(request, actor, "journal.publish", str(entry_id))
    except DomainError as exc:
        return render(request, "journal/form.html", status_code=exc.status_code, entry=entry_id, form=form, error=exc,
                      findings=findings, **selection(form), **await form_context(request))
    flash(request, N_("Entrée publiée.") if forms.get(form, "action") == "publish" else N_("Entrée enregistrée."))
    return to_entry(entry_id)


@post("/journal/nouvelle")
async def create_entry(request: Request) -> Response:
    return await _save_form(request, None)


@get("/journal/{entry_id:int}/modifier", name="journal_edit")
async def edit_entry_page(request: Request, entry_id: FromPath[int]) -> Template:
    actor = signed_in(request)
    async with db.transaction(write=False):
        view = await services.get(entry_id, actor)
    if not view.can_edit:
        raise Forbidden(N_("seul l'auteur ou l'autrice de l'entrée peut la modifier"))
    e = view.row
    prefill = {k: e[k] for k in ("title", *TEXT_FIELDS)}
    prefill.update(happened_on=e["happened_on"].isoformat(), experiment=e["experiment.slug"] or "",
                   iteration=str(e["iteration"] or ""), signed="on" if e["signed"] else "", version=str(e["version"]))
    return render(request, "journal/form.html", entry=entry_id, form=prefill, selected_tags=view.tags,
                  selected_services=view.services, error=None, findings=[], **await form_context(request))


@post("/journal/{entry_id:int}/modifier")
async def edit_entry(request: Request, entry_id: FromPath[int]) -> Response:
    return await _save_form(request, entry_id)


def audit_detail(action: str, form: FormMultiDict) -> dict:
    if action == "journal.public":
        return {"public": forms.get(form, "public") == "1"}
    if action == "journal.withdraw":
        return {"reason": forms.get(form, "reason").strip()[:1000]}
    return {}


async def _entry_action(request: Request, entry_id: int, action, audited: str = "") -> Response:
    """Run one action on an entry; on a refusal, show the entry with the message.
    `audited`: the audit log's name for the action, when it is logged."""
    actor = signed_in(request)
    form = await request.form()
    try:
        async with db.transaction():
            await action(actor, form)
            if audited:
                await record_request(request, actor, audited, str(entry_id), audit_detail(audited, form))
    except DomainError as exc:
        async with db.transaction(write=False):
            view = await services.get(entry_id, actor)
        return render(request, "journal/entry.html", status_code=exc.status_code, view=view, e=view.row,
                      reactions=REACTIONS, error=exc, revealed=None)
    flash(request, N_("C'est fait."))
    return to_entry(entry_id)


@post("/journal/{entry_id:int}/publier")
async def publish(request: Request, entry_id: FromPath[int]) -> Response:
    """Publish a draft; if its wording points at a person, the author sees it first."""
    actor = signed_in(request)
    async with db.transaction(write=False):
        view = await services.get(entry_id, actor)
        names = await people_names()
    e = view.row
    stored = EntryInput(title=e["title"], happened_on=e["happened_on"],
                        **{f: e[f] for f in TEXT_FIELDS}, tags=view.tags, services=view.services)
    findings = await blame_findings(stored, names)
    if findings and view.can_edit and e["state"] == "draft":
        prefill = {k: e[k] for k in ("title", *TEXT_FIELDS)}
        prefill.update(happened_on=e["happened_on"].isoformat(), experiment=e["experiment.slug"] or "",
                       iteration=str(e["iteration"] or ""), signed="on" if e["signed"] else "", version=str(e["version"]))
        return render(request, "journal/form.html", entry=entry_id, form=prefill, selected_tags=view.tags,
                      selected_services=view.services, error=None, findings=findings, checked=True,
                      **await form_context(request))
    return await _entry_action(request, entry_id, lambda actor, form: services.publish(actor, entry_id,
                                                                                       forms.version(form)),
                               "journal.publish")


@post("/journal/{entry_id:int}/public")
async def make_public(request: Request, entry_id: FromPath[int]) -> Response:
    return await _entry_action(request, entry_id, lambda actor, form: services.set_public(
        actor, entry_id, forms.get(form, "public") == "1", forms.version(form)), "journal.public")


@post("/journal/{entry_id:int}/retirer")
async def withdraw(request: Request, entry_id: FromPath[int]) -> Response:
    return await _entry_action(request, entry_id, lambda actor, form: services.withdraw(
        actor, entry_id, forms.get(form, "reason"), forms.version(form)), "journal.withdraw")


@post("/journal/{entry_id:int}/relecture")
async def propose_review(request: Request, entry_id: FromPath[int]) -> Response:
    return await _entry_action(request, entry_id, lambda actor, form: services.propose_review(
        actor, entry_id, forms.get(form, "reviewer"), forms.version(form)))


@post("/journal/{entry_id:int}/coauteurs")
async def add_coauthor(request: Request, entry_id: FromPath[int]) -> Response:
    return await _entry_action(request, entry_id, lambda actor, form: services.add_coauthor(
        actor, entry_id, forms.get(form, "coauthor")))


@post("/journal/{entry_id:int}/reagir")
async def react(request: Request, entry_id: FromPath[int]) -> Response:
    return await _entry_action(request, entry_id, lambda actor, form: services.react(actor, entry_id, forms.get(form, "kind")))


@post("/journal/{entry_id:int}/commenter")
async def comment(request: Request, entry_id: FromPath[int]) -> Response:
    return await _entry_action(request, entry_id, lambda actor, form: services.comment(actor, entry_id, forms.get(form, "body")))


@post("/journal/{entry_id:int}/actions")
async def add_action(request: Request, entry_id: FromPath[int]) -> Response:
    async def action(actor, form):
        due = parse_date(forms.get(form, "due_on"), "due_on")
        data = forms.fields(form, {"description": forms.text, "owner_role": forms.text})
        if due is not None:
            data["due_on"] = due
        await services.add_action(actor, entry_id, convert(data, ActionInput))

    return await _entry_action(request, entry_id, action)


@post("/journal/{entry_id:int}/actions/{action_id:int}/fait")
async def action_done(request: Request, entry_id: FromPath[int], action_id: FromPath[int]) -> Response:
    return await _entry_action(request, entry_id, lambda actor, form: services.action_done(actor, entry_id, action_id))


@post("/journal/{entry_id:int}/entree-du-mois")
async def of_month(request: Request, entry_id: FromPath[int]) -> Response:
    return await _entry_action(request, entry_id, lambda actor, form: services.choose_of_month(
        actor, entry_id, forms.get(form, "month")))


@post("/journal/{entry_id:int}/auteur")
async def reveal_author(request: Request, entry_id: FromPath[int]) -> Template:
    actor = signed_in(request)
    async with db.transaction():
        revealed = await services.reveal_author(actor, entry_id)
        view = await services.get(entry_id, actor)
    return render(request, "journal/entry.html", view=view, e=view.row, reactions=REACTIONS, error=None,
                  revealed=revealed)


ROUTES = [journal_list, new_entry_page, create_entry, entry_page, edit_entry_page, edit_entry, publish, make_public,
          withdraw, propose_review, add_coauthor, react, comment, add_action, action_done, of_month, reveal_author]
