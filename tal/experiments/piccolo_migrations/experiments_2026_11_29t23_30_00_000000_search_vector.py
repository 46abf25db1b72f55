"""PostgreSQL: the `french` text-search vector of `experiment.search_text` stored in a column
computed by the database (tal.core.fulltext.store_vector), with its GIN index:
ranking the matches of a search read it instead of computing every vector again.
SQLite's FTS5 table stays as it is."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: stored search_vector on experiment"


async def _vector() -> None:
    from tal.core.fulltext import store_vector

    await store_vector(engine_finder(), "experiment")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)
    manager.add_raw(_vector)
    return manager
