"""Snapshots of evaluations: computed when an experiment's plan or data change, kept
with the hash of their inputs and the engine's versions, so that a page shows what is
already known instead of computing it on every view.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

import anyio.to_thread
import msgspec

from tal.db import BATCH, insert_all
from tal.evaluation.tables import Snapshot
from tal.experiments import extensions
from tal.experiments.schemas import ExperimentFile
from tal.experiments.tables import Experiment

_encoder = msgspec.json.Encoder(order="sorted")
log = logging.getLogger("tal.evaluation")


@dataclass
class Evaluation:
    """What a page shows: the result, or why there is none."""

    result: dict | None
    error: str | None
    computed_at: dt.datetime | None
    engine: dict


def stats_input(doc: ExperimentFile) -> dict:
    """The document as the engine reads it (plain dicts, as parsed from TOML)."""
    return msgspec.to_builtins(msgspec.structs.replace(doc, journal=[], amendments=[], decision=None, decisions=[]))


def inputs_hash(doc: ExperimentFile) -> str:
    from tal.stats import engine_versions

    inputs = {
        "design": doc.experiment.design,
        "metrics": msgspec.to_builtins(doc.metrics),
        "arms": msgspec.to_builtins(doc.arms),
        "data": [msgspec.to_builtins([it.number, it.results, it.series, it.panel]) for it in doc.iterations],
        "engine": engine_versions(),
    }
    return hashlib.sha256(_encoder.encode(inputs)).hexdigest()


def evaluate_many(docs: list[ExperimentFile]) -> list[tuple[dict | None, str | None]]:
    """(result, error) per document, through one portfolio call when all are valid."""
    from tal.stats import StatsInputError, evaluate_portfolio

    try:
        return [(r, None) for r in evaluate_portfolio([stats_input(d) for d in docs])]
    except Exception:  # noqa: BLE001 - one bad experiment must not block the others
        outcomes = []
        for doc in docs:
            try:
                outcomes.append((evaluate_portfolio([stats_input(doc)])[0], None))
            except StatsInputError as exc:
                outcomes.append((None, str(exc)))
            except Exception:  # noqa: BLE001 - an engine failure is logged, the page says so
                log.exception("evaluation failed for %s", doc.experiment.slug)
                outcomes.append((None, "le moteur d'évaluation n'a pas pu traiter ces données (erreur consignée)"))
        return outcomes


def primary_verdict(result: dict | None) -> str | None:
    """The verdict of the first primary comparison of the last iteration that has one."""
    for iteration in reversed((result or {}).get("iterations") or []):
        for comparison in iteration.get("comparisons") or []:
            if comparison.get("role") == "primary" and comparison.get("verdict"):
                return comparison["verdict"]
    return None


async def refresh(slugs: list[str] | None = None) -> int:
    """Recompute the stale snapshots (of these experiments, or of all); returns how many."""
    from tal.stats import engine_versions

    query = Experiment.select(Experiment.id, Experiment.document, Experiment.design)
    if slugs is not None:
        if not slugs:
            return 0
        query = query.where(Experiment.slug.is_in(slugs))
    rows = await query
    known = {
        r["experiment"]: r["inputs_hash"]
        for r in await Snapshot.select(Snapshot.experiment, Snapshot.inputs_hash).where(
            Snapshot.experiment.is_in([r["id"] for r in rows] or [0])
        )
    }
    stale = []
    for row in rows:
        doc = msgspec.json.decode(row["document"], type=ExperimentFile) if isinstance(row["document"], str) else msgspec.convert(row["document"], ExperimentFile)
        digest = inputs_hash(doc)
        if known.get(row["id"]) != digest:
            stale.append((row["id"], digest, doc))
    if not stale:
        return 0
    outcomes = await anyio.to_thread.run_sync(evaluate_many, [doc for _, _, doc in stale])
    engine = msgspec.json.encode(engine_versions()).decode()
    now = dt.datetime.now(dt.timezone.utc)
    added = []
    verdicts: dict[str, list[int]] = {}
    for (experiment_id, digest, _), (result, error) in zip(stale, outcomes):
        values = {
            Snapshot.inputs_hash: digest,
            Snapshot.engine: engine,
            Snapshot.computed_at: now,
            Snapshot.result: msgspec.json.encode(result).decode() if result is not None else None,
            Snapshot.error: error,
            Snapshot.verdict: primary_verdict(result),
        }
        if experiment_id in known:
            await Snapshot.update(values).where(Snapshot.experiment == experiment_id)
        else:
            added.append(Snapshot(experiment=experiment_id, **{c._meta.name: v for c, v in values.items()}))
        verdicts.setdefault(values[Snapshot.verdict] or "", []).append(experiment_id)
    await insert_all(Snapshot, added)
    # The review counts verdicts on the experiment's row (tal/review/queries.py): written with
    # the snapshot, one statement per verdict and batch of rows.
    for verdict, ids in verdicts.items():
        for start in range(0, len(ids), BATCH):
            await Experiment.update({Experiment.verdict: verdict}).where(Experiment.id.is_in(ids[start:start + BATCH]))
    return len(stale)


async def current(slug: str, doc: ExperimentFile) -> Evaluation:
    """The stored evaluation when it is up to date; otherwise computed now (not stored)."""
    from tal.stats import engine_versions

    row = (
        await Snapshot.select()
        .where(Snapshot.experiment.slug == slug)
        .first()
    )
    if row is not None and row["inputs_hash"] == inputs_hash(doc):
        result = row["result"]
        engine = row["engine"]
        return Evaluation(
            msgspec.json.decode(result) if isinstance(result, str) else result,
            row["error"],
            row["computed_at"],
            msgspec.json.decode(engine) if isinstance(engine, str) else engine,
        )
    [(result, error)] = await anyio.to_thread.run_sync(evaluate_many, [doc])
    return Evaluation(result, error, None, engine_versions())


# The register refreshes and shows them without importing the evaluation (tal/experiments/extensions.py).
extensions.provide("refresh", refresh)
extensions.provide("evaluation", current)
