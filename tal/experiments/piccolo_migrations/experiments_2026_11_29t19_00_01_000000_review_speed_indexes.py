"""The review's speed (issue 9): compound indexes holding every column the review's
queries read (tal/review/queries.py), so that the database reads the index alone, never
the rows and their documents (a row's later columns sit behind its document)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T19:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "review speed: covering indexes of the review"

INDEXES = {
    "experiment_review_registered": "registered_at, status, amendments_major, amendments_minor",
    "experiment_review_verdict": "first_verdict_on, status, verdict, learning_cards, registered_at",
    "experiment_review_decided": "decided_on, decision_outcome, registered_at",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)

    async def indexes():
        from tal.experiments.tables import Experiment

        for name, columns in INDEXES.items():
            await Experiment._meta.db.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON experiment ({columns})")

    manager.add_raw(indexes)
    return manager
