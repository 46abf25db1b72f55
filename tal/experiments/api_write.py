"""The register's write API under /api/v1, for personal API tokens only
(`Authorization: Bearer tal_…`, see tal.accounts.tokens): no cookie, no CSRF token.

Each endpoint goes through the same service and rules as its page
(`experiments.services.save`, the single write path) and
carries the `version` it was based on: a stale version gets 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Request, post, put
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, FromQuery

from tal import db
from tal.accounts.actor import Actor, can_create
from tal.accounts.tokens import bearer_actor
from tal.audit.requests import record_request
from tal.core.errors import Conflict, DomainError, Forbidden, NotFound
from tal.core.validation import convert
from tal.experiments import services
from tal.i18n import N_
from tal.experiments.schemas import (
    FORMAT,
    Arm,
    ExperimentFile,
    Header,
    Hypothesis,
    Iteration,
    Learning,
    Metric,
    Panel,
    Result,
    Series,
)

Version = Annotated[int, msgspec.Meta(ge=1, le=10**9)]
OPTS: dict[str, Any] = {"exclude_from_csrf": True, "security": [{"BearerToken": []}], "tags": ["Écriture (jetons d'API)"]}


class DraftIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    experiment: Header
    hypotheses: list[Hypothesis] = []
    metrics: list[Metric] = []
    arms: list[Arm] = []


class DraftUpdateIn(DraftIn, kw_only=True):
    version: Version


class StatusIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    version: Version
    to: str


class IterationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    version: Version
    started_on: dt.date
    ended_on: dt.date | None = None
    change: str = ""


class ResultsIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    version: Version
    results: list[Result] = []
    series: list[Series] = []
    panel: list[Panel] = []


class LearningIn(Learning, kw_only=True):
    version: Version


class WrittenOut(msgspec.Struct):
    slug: str
    version: int
    url: str
    api_url: str
    iteration: int | None = None
    changed: bool = True


DRAFT_EXAMPLE = {
    "experiment": {"slug": "rappel-sms-dechetterie", "title": "Rappel SMS des rendez-vous en déchetterie",
                   "service": "Population et citoyenneté", "design": "randomized", "visibility": "public"},
    "hypotheses": [{"key": "h1", "we_believe": "Un rappel la veille réduit les rendez-vous manqués.",
                    "to_verify_we_will": "Tirer au sort la moitié des rendez-vous.",
                    "we_will_measure": "Les rendez-vous non honorés.", "we_are_right_if": "Ils baissent de 3 points."}],
    "metrics": [{"key": "absence", "hypothesis": "h1", "label": "Rendez-vous non honorés", "kind": "binary",
                 "direction": "decrease", "mde": 0.03}],
    "arms": [{"key": "courrier", "label": "Sans rappel", "control": True, "share": 0.5},
             {"key": "sms", "label": "Rappel SMS", "share": 0.5}],
}


def _example(summary: str, value: dict) -> list[Example]:
    return [Example(summary=summary, value=value)]


async def _written(slug: str, actor: Actor, iteration: int | None = None, changed: bool = True) -> WrittenOut:
    """What a write answers: the experiment's new version, for the next write."""
    async with db.transaction(write=False):
        version = (await services.get(slug, actor)).version
    return WrittenOut(slug, version, f"/experimentations/{slug}", f"/api/v1/experiments/{slug}", iteration, changed)


async def _editable(slug: str, actor: Actor) -> services.ExperimentView:
    view = await services.get(slug, actor)
    if not view.can_edit:
        raise Forbidden(N_("seules les équipes des services porteur et partenaires peuvent modifier cette expérimentation"))
    return view


def _check_version(current: int, version: int) -> None:
    if version != current:
        raise Conflict(N_("version %(version)s périmée : l'expérimentation est à la version %(current)s, relisez-la "
                          "et recommencez"), "version", {"version": version, "current": current})


def _document(data: DraftIn, head: Header, base: ExperimentFile | None) -> ExperimentFile:
    doc = convert({"format": FORMAT, "experiment": msgspec.to_builtins(head)}, ExperimentFile)
    parts = {"hypotheses": data.hypotheses, "metrics": data.metrics, "arms": data.arms}
    if base is not None:
        return msgspec.structs.replace(base, experiment=head, **parts, journal=[])
    return msgspec.structs.replace(doc, **parts)


@post("/api/v1/experiments", status_code=201, summary=N_("Créer un brouillon d'expérimentation"), **OPTS)
async def create_draft(
    request: Request,
    data: Annotated[DraftIn, Body(title="Brouillon", examples=_example("Un essai randomisé", DRAFT_EXAMPLE))],
) -> WrittenOut:
    actor = bearer_actor(request)
    if not can_create(actor):
        raise Forbidden(N_("votre compte n'est rattaché à aucun service"))
    head = msgspec.structs.replace(data.experiment, status="draft", registered_at=None)
    doc = _document(data, head, None)
    async with db.transaction():
        if await services.exists(head.slug):
            raise DomainError(N_("ce slug est déjà pris : choisissez-en un autre"), "experiment.slug")
        await services.save(doc, actor, source="api")
    return await _written(head.slug, actor)


@put("/api/v1/experiments/{slug:str}", summary=N_("Modifier un brouillon (en-tête et plan)"), **OPTS)
async def update_draft(
    request: Request,
    slug: FromPath[str],
    data: Annotated[DraftUpdateIn, Body(title="Brouillon modifié",
                                        examples=_example("Le brouillon à sa version 1", {**DRAFT_EXAMPLE, "version": 1}))],
) -> WrittenOut:
    actor = bearer_actor(request)
    async with db.transaction():
        view = await _editable(slug, actor)
        _check_version(view.version, data.version)
        current = view.doc.experiment
        if current.status != "draft":
            raise DomainError("seul un brouillon se modifie ainsi : un plan pré-enregistré change par un amendement, "
                              "sur sa page", "experiment.status")
        if data.experiment.slug != slug:
            raise DomainError(N_("le slug ne change pas"), "experiment.slug")
        head = msgspec.structs.replace(data.experiment, status="draft", registered_at=None)
        result = await services.save(_document(data, head, view.doc), actor, expected_version=data.version, source="api")
    return await _written(slug, actor, changed=result.changed)


@post("/api/v1/experiments/{slug:str}/status", status_code=200, summary=N_("Faire avancer une expérimentation (pré-enregistrer…)"), **OPTS)
async def change_status(
    request: Request,
    slug: FromPath[str],
    data: Annotated[StatusIn, Body(title="Nouveau statut", examples=_example(
        "Pré-enregistrer le plan", {"version": 2, "to": "registered"}))],
) -> WrittenOut:
    actor = bearer_actor(request)
    async with db.transaction():
        _check_version((await _editable(slug, actor)).version, data.version)
        result = await services.transition(slug, data.to[:20], actor, expected_version=data.version)
        if result.registered:
            await record_request(request, actor, "experiment.register", slug, {"source": "api"})
    return await _written(slug, actor)


async def _save_iteration(actor: Actor, slug: str, version: int, number: int | None, change) -> tuple[int, bool]:
    """Apply `change(iteration or None) -> Iteration` to one iteration and save."""
    view = await _editable(slug, actor)
    _check_version(view.version, version)
    current = None
    if number is not None:
        current = next((it for it in view.doc.iterations if it.number == number), None)
        if current is None:
            raise NotFound(N_("aucune itération n° %(number)d"), None, {"number": number})
    iteration = change(current)
    others = [it for it in view.doc.iterations if it.number != iteration.number]
    new = msgspec.structs.replace(view.doc, iterations=sorted([*others, iteration], key=lambda it: it.number), journal=[])
    result = await services.save(new, actor, expected_version=version, source="api")
    return iteration.number, result.changed


@post("/api/v1/experiments/{slug:str}/iterations", status_code=201, summary=N_("Ajouter une itération"), **OPTS)
async def add_iteration(
    request: Request,
    slug: FromPath[str],
    data: Annotated[IterationIn, Body(title="Itération", examples=_example(
        "Une itération de six semaines", {"version": 3, "started_on": "2026-03-02", "ended_on": "2026-04-10",
                                          "change": "Rappel SMS la veille."}))],
) -> WrittenOut:
    actor = bearer_actor(request)

    async def run() -> int:
        view = await services.get(slug, actor)
        number = max((it.number for it in view.doc.iterations), default=0) + 1
        fields = {"number": number, "started_on": data.started_on, "change": data.change.strip()}
        if data.ended_on is not None:
            fields["ended_on"] = data.ended_on
        made, _ = await _save_iteration(actor, slug, data.version, None, lambda _: convert(fields, Iteration))
        return made

    async with db.transaction():
        number = await run()
    return await _written(slug, actor, number)


@put("/api/v1/experiments/{slug:str}/iterations/{number:int}/results",
     summary=N_("Enregistrer les résultats d'une itération (statistiques suffisantes)"), **OPTS)
async def record_results(
    request: Request,
    slug: FromPath[str],
    number: FromPath[int],
    data: Annotated[ResultsIn, Body(title="Résultats", examples=_example(
        "Un indicateur binaire, deux bras", {"version": 5, "results": [
            {"metric": "absence", "arm": "courrier", "n": 1204, "successes": 211},
            {"metric": "absence", "arm": "sms", "n": 1198, "successes": 149}]}))],
) -> WrittenOut:
    actor = bearer_actor(request)

    def change(current: Iteration | None) -> Iteration:
        return msgspec.structs.replace(current, results=data.results, series=data.series, panel=data.panel)

    async with db.transaction():
        _, changed = await _save_iteration(actor, slug, data.version, number, change)
    return await _written(slug, actor, number, changed)


@put("/api/v1/experiments/{slug:str}/iterations/{number:int}/learning",
     summary=N_("Écrire la carte d'apprentissage d'une itération"), **OPTS)
async def write_learning(
    request: Request,
    slug: FromPath[str],
    number: FromPath[int],
    data: Annotated[LearningIn, Body(title="Carte d'apprentissage", examples=_example("Une carte", {
        "version": 6, "we_believed": "Le SMS réduirait les absences.", "we_observed": "−5 points.",
        "we_learned": "Le rappel la veille suffit.", "therefore_we_will": "Étendre aux autres guichets."}))],
) -> WrittenOut:
    actor = bearer_actor(request)
    card = Learning(**{k: getattr(data, k).strip() for k in Learning.__struct_fields__})

    async with db.transaction():
        _, changed = await _save_iteration(
            actor, slug, data.version, number, lambda current: msgspec.structs.replace(current, learning=card))
    return await _written(slug, actor, number, changed)


ROUTES = [create_draft, update_draft, change_status, add_iteration, record_results, write_learning]

