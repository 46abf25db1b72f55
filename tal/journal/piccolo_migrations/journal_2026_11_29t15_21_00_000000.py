"""Fill journal_entry_tags and journal_entry_services from each entry's `tags`, team and
`services` (withdrawn entries get none: they matched no filter before either), then
drop the `|…|` text columns they replace."""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-29T15:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "journal tags and services: data, old columns dropped"


async def _sql(query: str, *args) -> list[dict]:
    """A query on the engine the migration runs on (inside its transaction)."""
    return await engine_finder().run_querystring(QueryString(query, *args))


def _names(value) -> list[str]:
    return list(json.loads(value) if isinstance(value, (str, bytes)) else value or [])


async def _fill() -> None:
    tags = {r["name"]: r["id"] for r in await _sql("SELECT id, name FROM tag")}
    services = {r["name"]: r["id"] for r in await _sql("SELECT id, name FROM service")}
    for row in await _sql("SELECT id, team, tags, services FROM journal_entry WHERE state <> 'withdrawn' ORDER BY id"):
        for name in dict.fromkeys(_names(row["tags"])):
            if name in tags:
                await _sql("INSERT INTO journal_entry_tags (entry, tag) VALUES ({}, {})", row["id"], tags[name])
        ids = [row["team"]] if row["team"] is not None else []
        ids += [services[n] for n in _names(row["services"]) if n in services]
        for service_id in dict.fromkeys(ids):
            await _sql("INSERT INTO journal_entry_services (entry, service) VALUES ({}, {})", row["id"], service_id)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="journal", description=DESCRIPTION)
    manager.add_raw(_fill)
    for column in ("tags_index", "services_index"):
        manager.drop_column(table_class_name="JournalEntry", tablename="journal_entry", column_name=column,
                            db_column_name=column, schema=None)
    return manager
