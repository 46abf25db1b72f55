"""The review's speed (issue 9): the days from registration (its Paris date) to the first
verdict and to the decision, filled for the rows already stored; compound indexes
holding every column the review's queries read (tal/review/queries.py), so that the
database reads the index alone, never the rows and their documents (a row's later
columns sit behind its document)."""

import datetime as dt
from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T19:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "review speed: days to the first verdict and to the decision, covering indexes of the review"
PARIS = ZoneInfo("Europe/Paris")

INDEXES = {
    "experiment_review_registered": "registered_at, status, amendments_major, amendments_minor",
    "experiment_review_verdict": "first_verdict_on, status, verdict, learning_cards, days_to_first_verdict",
    "experiment_review_decided": "decided_on, decision_outcome, days_to_decision",
}


def _value(value, kind):
    """A column as the engine gives it back (SQLite: text), as a date or an instant."""
    if value is None or not isinstance(value, str):
        return value
    return dt.datetime.fromisoformat(value) if kind is dt.datetime else dt.date.fromisoformat(value)


def _days(registered_at, day) -> int | None:
    """As tal/experiments/services.py `days_since` (kept here: a migration does not change with the code)."""
    registered_at, day = _value(registered_at, dt.datetime), _value(day, dt.date)
    if registered_at is None or day is None:
        return None
    at = registered_at if registered_at.tzinfo else registered_at.replace(tzinfo=dt.timezone.utc)
    return (day - at.astimezone(PARIS).date()).days


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)

    async def fill_and_index():
        from tal.experiments.tables import Experiment

        for row in await Experiment.raw("SELECT id, registered_at, first_verdict_on, decided_on FROM experiment "
                                        "WHERE registered_at IS NOT NULL"):
            await Experiment.raw("UPDATE experiment SET days_to_first_verdict = {}, days_to_decision = {} WHERE id = {}",
                                 _days(row["registered_at"], row["first_verdict_on"]),
                                 _days(row["registered_at"], row["decided_on"]), row["id"])
        engine = Experiment._meta.db
        if engine.engine_type == "postgres":
            # The data generation's deferred triggers (tal.db) fire now: PostgreSQL creates
            # no index on a table with trigger events pending (rows updated just above).
            await engine.run_ddl("SET CONSTRAINTS ALL IMMEDIATE")
        for name, columns in INDEXES.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON experiment ({columns})")

    manager.add_raw(fill_and_index)
    return manager
