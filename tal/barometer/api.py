"""JSON twins of the barometer's pages, under /api/v1 (read-only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Request, get
from litestar.params import FromPath, QueryParameter

from tal import db
from tal.barometer import scoring, services
from tal.core.http import signed_in
from tal.i18n import N_


class CampaignOut(msgspec.Struct):
    id: int
    title: str
    state: str
    opens_on: dt.date
    closes_on: dt.date | None
    services: list[str]
    answers: int
    fictional: bool
    url: str


class ChangeOut(msgspec.Struct):
    difference: float
    ci: list[float] | None
    previous_campaign: int


class ScaleOut(msgspec.Struct):
    mean: float
    ci: list[float] | None
    alpha: float | None = None
    change: ChangeOut | None = None


class GroupOut(msgspec.Struct):
    group: str
    services: list[str]
    n: int
    response_rate: float | None
    psychological_safety: ScaleOut
    wellbeing: ScaleOut
    digital: ScaleOut
    distribution: dict[str, dict[str, int]]


class RelationOut(msgspec.Struct):
    group: str
    n: int
    psychological_safety: float
    ci: list[float] | None
    journal_entries: int
    journal_reactions: int


class ResultsOut(msgspec.Struct):
    campaign: int
    title: str
    state: str
    min_group: int
    answers: int
    groups: list[GroupOut]
    merged_services: list[str]
    journal_relation: list[RelationOut] | None
    fictional: bool


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _interval(ci: tuple[float, float] | None) -> list[float] | None:
    return None if ci is None else [round(ci[0], 4), round(ci[1], 4)]


def _scale(result: scoring.ScaleResult, name: str, previous: dict | None) -> ScaleOut:
    change = None
    if result.change is not None and previous is not None:
        change = ChangeOut(round(result.change[0], 4), _interval(result.change[1]), previous["id"])
    alpha = _r(result.alpha) if name in scoring.WITH_ALPHA else None
    return ScaleOut(round(result.mean, 4), _interval(result.ci), alpha, change)


def _group(g: scoring.GroupResult, previous: dict | None) -> GroupOut:
    return GroupOut(
        g.group, g.services, g.n, _r(g.response_rate),
        *(_scale(g.scales[name], name, previous) for name in ("psychological_safety", "wellbeing", "digital")),
        distribution={item: {str(v): c for v, c in counts.items()} for item, counts in g.distribution.items()},
    )


@get("/api/v1/barometre", summary=N_("Les campagnes du baromètre social"), tags=["Baromètre"])
async def campaigns(request: Request) -> list[CampaignOut]:
    signed_in(request)
    async with db.transaction(write=False):
        rows = await services.campaigns()
    return [CampaignOut(r["id"], r["title"], r["state"], r["opens_on"], r["closes_on"], r["services"], r["answers"],
                        r["fictional"], f"/barometre/{r['id']}") for r in rows]


@get("/api/v1/barometre/{campaign_id:int}", summary=N_("Les résultats d'une campagne du baromètre"), tags=["Baromètre"],
     description=N_("Groupes d'au moins `min_group` réponses seulement, une fois la campagne close\u202f; jamais de texte libre."))
async def results(
    request: Request, campaign_id: FromPath[int],
    groupe: Annotated[str, QueryParameter(max_length=120, description=N_("un seul groupe (service)"))] = "",
) -> ResultsOut:
    actor = signed_in(request)
    async with db.transaction(write=False):
        r = await services.results(actor, campaign_id, groupe)
    relation = None if r.relation is None else [
        RelationOut(x.group, x.n, round(x.mean, 4), _interval(x.ci), x.entries, x.reactions) for x in r.relation]
    return ResultsOut(r.campaign["id"], r.campaign["title"], r.campaign["state"], r.min_group, r.total,
                      [_group(g, r.previous) for g in r.groups], r.merged, relation, r.campaign["fictional"])


ROUTES = [campaigns, results]
