"""JSON twins of the register's pages, under /api/v1 (read-only)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from typing import Annotated

import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath, QueryParameter

from tal import db
from tal.core.pagination import PER_PAGE
from tal.experiments import extensions, services
from tal.experiments.plan import canonical_plan
from tal.experiments.schemas import ExperimentFile
from tal.i18n import N_


class ExperimentSummaryOut(msgspec.Struct):
    slug: str
    title: str
    service: str
    design: str
    status: str
    visibility: str
    registered_at: dt.datetime | None
    updated_at: dt.datetime
    url: str
    api_url: str


class ExperimentListOut(msgspec.Struct):
    total: int
    page: int
    pages: int
    per_page: int
    items: list[ExperimentSummaryOut]
    next: str | None


class RegistrationOut(msgspec.Struct):
    registered_at: dt.datetime | None
    registration_hash: str | None
    plan_hash: str
    plan_matches_hash: bool
    plan_url: str
    algorithm: str = "sha256"


class StatusStepOut(msgspec.Struct):
    """A line of the history: a status change, or an import (`source` "import") with
    the iteration, the file's name, its rows and the metrics it brought."""

    status: str
    at: str
    source: str | None = None
    iteration: int | None = None
    file: str | None = None
    rows: int | None = None
    metrics: list[str] | None = None


class EvaluationOut(msgspec.Struct):
    """The evaluation JSON of DESIGN.md (`result`), or why there is none (`error`)."""

    result: dict | None
    error: str | None
    computed_at: dt.datetime | None
    engine: dict


class EventOut(msgspec.Struct):
    """An amendment's origin (`detail.index`: its rank in `document.amendments`, from 0)
    or a correction of frozen results (`detail.reason`, `detail.changes` before and after)."""

    at: dt.datetime
    kind: str
    source: str
    who: str | None
    detail: dict


class ExperimentOut(msgspec.Struct):
    slug: str
    url: str
    registration: RegistrationOut
    status_history: list[StatusStepOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    # The version a write of the API (or a form) is based on.
    version: int
    document: ExperimentFile
    evaluation: EvaluationOut
    history: list[EventOut] = []


def _summary(item: services.Summary) -> ExperimentSummaryOut:
    return ExperimentSummaryOut(
        item.slug, item.title, item.service, item.design, item.status, item.visibility, item.registered_at,
        item.updated_at, f"/experimentations/{item.slug}", f"/api/v1/experiments/{item.slug}",
    )


@get("/api/v1/experiments", summary=N_("Le registre des expérimentations"), tags=["Registre"])
async def list_experiments(
    request: Request,
    service: Annotated[str, QueryParameter(max_length=120, description=N_("Service porteur ou partenaire"))] = "",
    objective: Annotated[str, QueryParameter(max_length=200, description=N_("Objectif stratégique"))] = "",
    status: Annotated[str, QueryParameter(max_length=20)] = "",
    design: Annotated[str, QueryParameter(max_length=20)] = "",
    q: Annotated[str, QueryParameter(max_length=200, description=N_("Recherche plein texte"))] = "",
    page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
) -> ExperimentListOut:
    filters = services.Filters(service, objective, status, design, q, page)
    async with db.transaction(write=False):
        results = await services.search(filters, request.scope["state"].get("actor"))
    next_url = None
    if results.has_next:
        params = {k: v for k, v in vars(filters).items() if v and k != "page"}
        next_url = "/api/v1/experiments?" + urlencode({**params, "page": page + 1})
    return ExperimentListOut(
        results.total, results.number, results.pages, PER_PAGE, [_summary(i) for i in results.items], next_url
    )


@get("/api/v1/experiments/{slug:str}", summary=N_("Une expérimentation"), tags=["Registre"])
async def experiment(request: Request, slug: FromPath[str]) -> ExperimentOut:
    async with db.transaction(write=False):
        view = await services.get(slug, request.scope["state"].get("actor"))
        found = await extensions.get("evaluation")(slug, view.doc)
    return ExperimentOut(
        slug=view.slug,
        url=f"/experimentations/{view.slug}",
        registration=RegistrationOut(
            view.doc.experiment.registered_at, view.registration_hash, view.plan_hash, view.plan_matches,
            f"/api/v1/experiments/{view.slug}/plan.json",
        ),
        status_history=[msgspec.convert(step, StatusStepOut) for step in view.status_history],
        created_at=view.created_at,
        updated_at=view.updated_at,
        version=view.version,
        document=view.doc,
        evaluation=EvaluationOut(found.result, found.error, found.computed_at, found.engine),
        history=[EventOut(**event) for event in view.events],
    )


@get(
    "/api/v1/experiments/{slug:str}/plan.json",
    summary=N_("Le plan sous sa forme canonique\u202f: son SHA-256 est l'empreinte affichée"),
    tags=["Registre"],
    media_type="application/json",
)
async def plan(request: Request, slug: FromPath[str]) -> Response[bytes]:
    async with db.transaction(write=False):
        view = await services.get(slug, request.scope["state"].get("actor"))
    return Response(canonical_plan(view.doc), media_type="application/json")


class IndexOut(msgspec.Struct):
    name: str
    version: str
    experiments: str
    schema: str


@get("/api/v1", summary=N_("Point d'entrée de l'API"), tags=["Registre"])
async def index() -> IndexOut:
    from tal import __version__

    return IndexOut("TAL", __version__, "/api/v1/experiments", "/schema/openapi.json")


ROUTES = [index, list_experiments, experiment, plan]
