"""JSON twins of the interventions' pages, under /api/v1."""

from __future__ import annotations

import msgspec
from litestar import Request, get
from litestar.params import FromPath

from tal import db
from tal.core.http import actor_of
from tal.replications import services
from tal.i18n import N_


class InterventionSummaryOut(msgspec.Struct):
    intervention: str
    experiments: int
    services: list[str]
    url: str
    api_url: str


class ReplicationOut(msgspec.Struct):
    slug: str
    title: str
    service: str
    design: str
    status: str
    url: str


class InterventionOut(msgspec.Struct):
    """`pool` is DESIGN.md's « Pooled replications » JSON, as `tal pool` prints it."""

    intervention: str
    experiments: list[ReplicationOut]
    pool: dict
    url: str


@get("/api/v1/interventions", summary=N_("Les interventions répliquées"), tags=["Réplications"])
async def list_interventions(request: Request) -> list[InterventionSummaryOut]:
    async with db.transaction(write=False):
        found = await services.interventions(actor_of(request))
    return [
        InterventionSummaryOut(i.key, i.experiments, i.services, f"/interventions/{i.key}", f"/api/v1/interventions/{i.key}")
        for i in found
    ]


@get(
    "/api/v1/interventions/{key:str}",
    summary=N_("Une intervention\u202f: ses réplications et leurs effets combinés (méta-analyse DerSimonian–Laird)"),
    description=N_("422 quand ses expérimentations ne peuvent pas être combinées (moins de deux, aucun indicateur "
    "commun de même clé et de même type, indicateur ordinal, bras ambigus)\u202f; le message dit pourquoi."),
    tags=["Réplications"],
)
async def intervention(request: Request, key: FromPath[str]) -> InterventionOut:
    async with db.transaction(write=False):
        result = await services.pooled(key, actor_of(request))
    pool = services.require(result)
    return InterventionOut(
        intervention=result.intervention,
        experiments=[ReplicationOut(r.slug, r.title, r.service, r.design, r.status, f"/experimentations/{r.slug}")
                     for r in result.replications],
        pool=pool,
        url=f"/interventions/{result.intervention}",
    )


ROUTES = [list_interventions, intervention]
