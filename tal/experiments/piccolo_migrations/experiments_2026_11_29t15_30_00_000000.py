"""Fill the management review's columns of the experiments already stored, from their
documents (later writes keep them up to date), and index the registration date that
the review filters periods on."""

import datetime as dt
import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Backfill the review columns; index experiment.registered_at"


def _facts(doc: dict) -> tuple:
    iterations = doc.get("iterations") or []
    ended = [it["ended_on"] for it in iterations
             if it.get("ended_on") and (it.get("results") or it.get("series") or it.get("panel"))]
    amendments = doc.get("amendments") or []
    decision = doc.get("decision") or None
    return (
        sum(1 for it in iterations if it.get("learning")),
        sum(1 for a in amendments if a.get("major")),
        sum(1 for a in amendments if not a.get("major")),
        dt.date.fromisoformat(min(ended)) if ended else None,
        dt.date.fromisoformat(decision["decided_on"]) if decision else None,
        decision["outcome"] if decision else None,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)

    async def backfill():
        from tal.experiments.tables import Experiment

        await Experiment._meta.db.run_ddl(
            "CREATE INDEX IF NOT EXISTS experiment_registered_at ON experiment (registered_at)")
        for row in await Experiment.raw("SELECT id, document FROM experiment"):
            document = row["document"]
            doc = json.loads(document) if isinstance(document, (str, bytes)) else document
            await Experiment.raw(
                "UPDATE experiment SET learning_cards = {}, amendments_major = {}, amendments_minor = {}, "
                "first_verdict_on = {}, decided_on = {}, decision_outcome = {} WHERE id = {}",
                *_facts(doc), row["id"])

    manager.add_raw(backfill)
    return manager
