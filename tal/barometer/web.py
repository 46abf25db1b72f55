"""The barometer's pages: campaigns, the questionnaire, results, the CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tal import db
from tal.accounts.services import service_names
from tal.barometer import chart, questionnaire, scoring, services
from tal.barometer.schemas import MAX_FREE, AnswerInput, CampaignInput
from tal.core.errors import DomainError
from tal.core.http import actor_of, signed_in
from tal.core.templating import render
from tal.core.validation import convert
from tal.experiments import forms
from tal.i18n import format_number, translations
from tal.journal.web import parse_date
from tal.i18n import N_


def answer_from(form: FormMultiDict) -> AnswerInput:
    """The questionnaire's fields; a missing required item or a value off the scale names its field."""
    data: dict[str, Any] = forms.fields(form, {item: forms.integer for item in scoring.ITEMS})
    for item in scoring.ITEMS:
        if item not in data:
            raise DomainError(N_("réponse obligatoire manquante"), item)
    free = forms.text(forms.get(form, "free"), "free")
    if len(free) > MAX_FREE:
        raise DomainError(N_("trop long\u202f: %(limit)d caractères au plus"), "free", {"limit": MAX_FREE})
    data["free"] = free
    return convert(data, AnswerInput)


def campaign_from(form: FormMultiDict) -> CampaignInput:
    data: dict[str, Any] = {"title": forms.text(forms.get(form, "title"), "title"), "services": forms.getall(form, "services")}
    for name in ("opens_on", "closes_on"):
        value = parse_date(forms.get(form, name)[:20], name)
        if value is not None:
            data[name] = value
    if not data["title"]:
        raise DomainError(N_("ne peut pas être vide"), "title")
    return convert(data, CampaignInput)


async def _list_context(request: Request) -> dict[str, Any]:
    actor = actor_of(request)
    async with db.transaction(write=False):
        rows = await services.campaigns()
        current = await services.open_campaign_row()
        answered = await services.has_answered(actor, current["id"]) if current else False
        names = await service_names() if actor is not None and actor.is_admin else []
    refusal = services.refusal(actor, current) if current else None
    return {"campaigns": rows, "current": current, "answered": answered, "refusal": refusal, "services": names,
            "min_group": services.min_group()}


@get("/barometre", name="barometer")
async def campaigns_page(request: Request) -> Template:
    signed_in(request)
    return render(request, "barometer/list.html", error=None, form=None, **await _list_context(request))


@post("/barometre/nouveau")
async def open_campaign(request: Request) -> Response:
    actor = signed_in(request)
    services.require_admin(actor)
    form = await request.form()
    try:
        data = campaign_from(form)
        async with db.transaction():
            campaign_id = await services.open_campaign(data)
    except DomainError as exc:
        return render(request, "barometer/list.html", status_code=exc.status_code, error=exc, form=form,
                      **await _list_context(request))
    return Redirect(f"/barometre/{campaign_id}", status_code=303)


@post("/barometre/{campaign_id:int}/cloturer")
async def close_campaign(request: Request, campaign_id: FromPath[int]) -> Response:
    actor = signed_in(request)
    services.require_admin(actor)
    form = await request.form()
    version = forms.get(form, "version")
    async with db.transaction():
        await services.close_campaign(campaign_id, int(version) if version.isdigit() and len(version) < 10 else -1)
    return Redirect(f"/barometre/{campaign_id}", status_code=303)


async def _questionnaire(request: Request, campaign_id: int, status: int = 200, **context: Any) -> Template:
    actor = actor_of(request)
    async with db.transaction(write=False):
        row = await services.campaign(campaign_id)
        answered = await services.has_answered(actor, campaign_id)
    context = {"form": None, "error": None, "thanks": False, **context}
    return render(request, "barometer/answer.html", status_code=status, campaign=row, answered=answered,
                  refusal=services.refusal(actor, row), sections=questionnaire.SECTIONS,
                  free_question=questionnaire.FREE_QUESTION, max_free=MAX_FREE, min_group=services.min_group(),
                  **context)


@get("/barometre/{campaign_id:int}/repondre", name="barometer_answer")
async def answer_page(request: Request, campaign_id: FromPath[int], merci: FromQuery[int] = 0) -> Template:
    signed_in(request)
    return await _questionnaire(request, campaign_id, thanks=merci == 1)


@post("/barometre/{campaign_id:int}/repondre")
async def answer(request: Request, campaign_id: FromPath[int]) -> Response:
    actor = signed_in(request)
    form = await request.form()
    try:
        data = answer_from(form)
        async with db.transaction():
            await services.answer(actor, campaign_id, data)
    except DomainError as exc:
        return await _questionnaire(request, campaign_id, exc.status_code, form=form, error=exc)
    return Redirect(f"/barometre/{campaign_id}/repondre?merci=1", status_code=303)


def relation_chart(request: Request, results: services.Results):
    from tal.core.templating import language

    lang = language(request)
    _ = translations(lang).gettext
    def name(group: str) -> str:
        return _(group) if group in (scoring.ALL, scoring.OTHERS) else group

    rows = [(name(r.group), r.mean, r.ci, r.entries) for r in results.relation or []]
    if not rows:
        return None
    description = "; ".join(
        _("%(group)s : sécurité psychologique %(mean)s, %(entries)s entrées partagées, %(reactions)s réactions")
        % {"group": name(r.group), "mean": format_number(r.mean, lang, 2), "entries": r.entries, "reactions": r.reactions}
        for r in results.relation)
    return chart.relation(_("Sécurité psychologique et partage dans le journal, par service"), description,
                          _("Sécurité psychologique (1 à 7)"), _("Entrées partagées dans le journal"), rows,
                          lambda v: format_number(v, lang, 2))


@get("/barometre/{campaign_id:int}", name="barometer_results")
async def results_page(request: Request, campaign_id: FromPath[int], groupe: FromQuery[str] = "") -> Template:
    actor = signed_in(request)
    async with db.transaction(write=False):
        results = await services.results(actor, campaign_id, groupe[:120])
    return render(request, "barometer/results.html", results=results, c=results.campaign, group_filter=groupe[:120],
                  chart=relation_chart(request, results), sections=questionnaire.SECTIONS,
                  scale_names=questionnaire.SCALE_NAMES, scale_units=questionnaire.SCALE_UNITS, ALL=scoring.ALL)


def _cell(value: Any) -> Any:
    """A CSV cell: empty for none, true/false, and no text a spreadsheet would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@get("/barometre/{campaign_id:int}/export.csv", name="barometer_export")
async def export(request: Request, campaign_id: FromPath[int], groupe: FromQuery[str] = "") -> Response:
    """The figures of the groups this person may see; never a free text."""
    actor = signed_in(request)
    async with db.transaction(write=False):
        results = await services.results(actor, campaign_id, groupe[:120])
    if not results.closed:
        raise DomainError(N_("les résultats d'un baromètre s'exportent à sa clôture"))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=services.COLUMNS, lineterminator="\n")
    writer.writeheader()
    for line in services.figure_rows(results.campaign, results.groups):
        writer.writerow({k: _cell(v) for k, v in line.items()})
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="barometre-{campaign_id}.csv"'})


ROUTES = [campaigns_page, open_campaign, close_campaign, answer_page, answer, results_page, export]
