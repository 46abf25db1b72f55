"""JSON twins of the journal's pages, under /api/v1 (read-only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Request, get
from litestar.params import FromPath, QueryParameter

from tal import db
from tal.journal import services
from tal.journal.web import parse_date
from tal.i18n import N_


class EntrySummaryOut(msgspec.Struct):
    id: int
    title: str
    happened_on: dt.date
    published_at: dt.datetime | None
    state: str
    public: bool
    team: str | None
    tags: list[str]
    experiment: str | None
    withdrawn_reason: str | None
    url: str


class EntryListOut(msgspec.Struct):
    total: int
    page: int
    pages: int
    items: list[EntrySummaryOut]


class ActionOut(msgspec.Struct):
    description: str
    owner_role: str
    due_on: dt.date
    done_at: dt.datetime | None
    late: bool


class EntryOut(msgspec.Struct):
    id: int
    title: str
    state: str
    public: bool
    happened_on: dt.date | None
    team: str | None
    author: str | None
    experiment: str | None
    iteration: int | None
    what_happened: str | None
    what_we_expected: str | None
    contributing_factors: str | None
    what_went_well: str | None
    what_we_learned: str | None
    what_we_change: str | None
    tags: list[str]
    services: list[str]
    withdrawn_reason: str | None
    actions: list[ActionOut]
    reactions: dict[str, int]
    comments: int
    revisions: int
    url: str


def _summary(e: services.EntrySummary) -> EntrySummaryOut:
    return EntrySummaryOut(e.id, e.title, e.happened_on, e.published_at, e.state, e.public, e.team, e.tags,
                           e.experiment, e.withdrawn_reason, f"/journal/{e.id}")


@get("/api/v1/journal", summary=N_("Le journal « erreurs et apprentissages »"), tags=["Journal"])
async def entries(
    request: Request,
    service: Annotated[str, QueryParameter(max_length=120)] = "",
    tag: Annotated[str, QueryParameter(max_length=40)] = "",
    experiment: Annotated[str, QueryParameter(max_length=80)] = "",
    since: Annotated[str, QueryParameter(max_length=10, description=N_("AAAA-MM-JJ"))] = "",
    until: Annotated[str, QueryParameter(max_length=10, description=N_("AAAA-MM-JJ"))] = "",
    q: Annotated[str, QueryParameter(max_length=200)] = "",
    page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
) -> EntryListOut:
    filters = services.JournalFilters(service, tag, experiment, parse_date(since, "since"), parse_date(until, "until"), q, page)
    async with db.transaction(write=False):
        results = await services.search(filters, request.scope["state"].get("actor"))
    return EntryListOut(results.total, results.number, results.pages, [_summary(e) for e in results.items])


@get("/api/v1/journal/{entry_id:int}", summary=N_("Une entrée du journal"), tags=["Journal"])
async def entry(request: Request, entry_id: FromPath[int]) -> EntryOut:
    async with db.transaction(write=False):
        view = await services.get(entry_id, request.scope["state"].get("actor"))
    e = view.row
    withdrawn = e["state"] == "withdrawn"

    def text(key: str) -> str | None:
        return None if withdrawn else e[key]

    return EntryOut(
        id=e["id"], title=e["title"], state=e["state"], public=e["public"],
        happened_on=None if withdrawn else e["happened_on"], team=e["team.name"], author=view.author,
        experiment=e["experiment.slug"], iteration=e["iteration"],
        what_happened=text("what_happened"), what_we_expected=text("what_we_expected"),
        contributing_factors=text("contributing_factors"), what_went_well=text("what_went_well"),
        what_we_learned=text("what_we_learned"), what_we_change=text("what_we_change"),
        tags=[] if withdrawn else view.tags, services=[] if withdrawn else view.services,
        withdrawn_reason=e["withdrawn_reason"],
        actions=[ActionOut(a["description"], a["owner_role"], a["due_on"], a["done_at"],
                           a["done_at"] is None and a["due_on"] < dt.date.today()) for a in view.actions],
        reactions=view.reactions, comments=len(view.comments), revisions=len(view.revisions), url=f"/journal/{e['id']}",
    )


ROUTES = [entries, entry]
