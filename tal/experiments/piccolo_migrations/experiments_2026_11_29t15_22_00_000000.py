"""Full-text search on `experiment.search_text` (tal.core.fulltext): an FTS5 table kept in step
by triggers on SQLite, a GIN index on its `french` tsvector on PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T15:22:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "full-text search on experiment"
TABLE = "experiment"

SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE}_fts USING fts5(search_text, content='{TABLE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {TABLE}_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {TABLE}_fts({TABLE}_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_update AFTER UPDATE OF search_text ON {TABLE} BEGIN "
    f"INSERT INTO {TABLE}_fts({TABLE}_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {TABLE}_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {TABLE}_fts({TABLE}_fts) VALUES ('rebuild')",
]
POSTGRES = [f"CREATE INDEX IF NOT EXISTS {TABLE}_fts ON {TABLE} USING GIN (to_tsvector('french', search_text))"]


async def _index() -> None:
    engine = engine_finder()
    for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)
    manager.add_raw(_index)
    return manager
