"""Replications: experiments sharing an `intervention` key, pooled per shared metric.

Hangs on the register (experiments and their documents) and on the evaluation
(snapshots, for the designs whose estimate comes from a model); the arithmetic is
`tal.stats.pooling`. A visitor's pool uses public experiments only, an agent's every
experiment; the command line (`everything`) sees all. Callers open the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio.to_thread
import msgspec

from tal.accounts.actor import Actor
from tal.core.errors import DomainError, NotFound
from tal.i18n import N_
from tal.evaluation import services as evaluation
from tal.experiments.schemas import ExperimentFile
from tal.experiments.tables import Experiment


class UnpooledError(DomainError):
    """These experiments cannot be pooled (fewer than two, no shared metric…)."""

    status_code = 422


@dataclass
class Replication:
    """One experiment of an intervention, as the page lists it."""

    slug: str
    title: str
    service: str
    design: str
    status: str
    doc: ExperimentFile = field(repr=False)
    evaluation: dict | None = field(default=None, repr=False)


@dataclass
class Pooled:
    """What the intervention page shows: the replications, the contract's JSON (or why
    there is none) and the shared metrics left out."""

    intervention: str
    replications: list[Replication]
    result: dict | None
    error: str | None
    not_pooled: list[tuple[str, str]]

    def label(self, metric: str) -> str:
        """The metric's label, as the first replication having it names it."""
        for r in self.replications:
            for m in r.doc.metrics:
                if m.key == metric:
                    return m.label
        return metric


@dataclass
class InterventionSummary:
    key: str
    experiments: int
    services: list[str]


def _visible(query, actor: Actor | None, everything: bool):
    if actor is None and not everything:
        return query.where((Experiment.visibility == "public") & (Experiment.status != "draft"))
    return query


def _decode(document) -> ExperimentFile:
    if isinstance(document, (str, bytes)):
        return msgspec.json.decode(document, type=ExperimentFile)
    return msgspec.convert(document, ExperimentFile)


async def interventions(actor: Actor | None) -> list[InterventionSummary]:
    """Every intervention with at least one experiment this reader may read."""
    query = _visible(
        Experiment.select(Experiment.intervention, Experiment.service.name.as_alias("service_name")).where(
            Experiment.intervention.is_not_null()
        ),
        actor,
        False,
    )
    found: dict[str, InterventionSummary] = {}
    for row in await query.order_by(Experiment.intervention):
        item = found.setdefault(row["intervention"], InterventionSummary(row["intervention"], 0, []))
        item.experiments += 1
        if row["service_name"] not in item.services:
            item.services.append(row["service_name"])
    return list(found.values())


async def replications(intervention: str, actor: Actor | None, *, everything: bool = False) -> list[Replication]:
    """The experiments of this intervention the reader may read, by slug, with their evaluation."""
    query = _visible(
        Experiment.select(
            Experiment.slug, Experiment.title, Experiment.service.name.as_alias("service_name"), Experiment.design,
            Experiment.status, Experiment.document,
        ).where(Experiment.intervention == intervention),
        actor,
        everything,
    )
    found = []
    for row in await query.order_by(Experiment.slug):
        doc = _decode(row["document"])
        # Randomized replications are pooled from their counts; the others from their model's estimate.
        result = None if row["design"] == "randomized" else (await evaluation.current(row["slug"], doc)).result
        found.append(Replication(row["slug"], row["title"], row["service_name"], row["design"], row["status"], doc,
                                 result))
    return found


def study(slug: str, service: str, doc: ExperimentFile, result: dict | None) -> dict:
    """One study as `tal.stats.pooling` reads it."""
    return {"experiment": slug, "service": service, "document": evaluation.stats_input(doc), "evaluation": result}


def _pool(intervention: str, studies: list[dict]) -> tuple[dict | None, str | None, list[tuple[str, str]]]:
    from tal.stats.pooling import PoolingError, not_pooled, pool

    try:
        return pool(intervention, studies), None, not_pooled(studies)
    except PoolingError as exc:
        return None, str(exc), []


async def pool_replications(intervention: str, found: list[Replication]) -> Pooled:
    studies = [study(r.slug, r.service, r.doc, r.evaluation) for r in found]
    result, error, left = await anyio.to_thread.run_sync(_pool, intervention, studies)
    return Pooled(intervention, found, result, error, left)


async def pooled(intervention: str, actor: Actor | None) -> Pooled:
    """The intervention page: NotFound when the reader may read none of its experiments."""
    found = await replications(intervention[:80], actor)
    if not found:
        raise NotFound(N_("aucune expérimentation ne porte l'intervention «\u202f%(key)s\u202f»"), None, {"key": intervention[:80]})
    return await pool_replications(intervention, found)


def require(result: Pooled) -> dict:
    """The contract's JSON, or the reason why these experiments cannot be pooled."""
    if result.result is None:
        raise UnpooledError(result.error or "")
    return result.result
