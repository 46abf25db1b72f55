"""Fill experiment_services and experiment_objectives from each experiment's document
(its owning service, partner services and objectives), then drop the `|…|` text
columns they replace."""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-29T15:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "experiment services and objectives: data, old columns dropped"


async def _sql(query: str, *args) -> list[dict]:
    """A query on the engine the migration runs on (inside its transaction)."""
    return await engine_finder().run_querystring(QueryString(query, *args))


async def _fill() -> None:
    services = {r["name"]: r["id"] for r in await _sql("SELECT id, name FROM service")}
    objectives = {r["title"]: r["id"] for r in await _sql("SELECT id, title FROM objective")}
    for row in await _sql("SELECT id, document FROM experiment ORDER BY id"):
        document = row["document"]
        head = (json.loads(document) if isinstance(document, (str, bytes)) else document)["experiment"]
        names = [head["service"], *(n for n in head.get("partner_services", []) if n != head["service"])]
        for rank, name in enumerate(dict.fromkeys(names)):
            if name in services:
                await _sql("INSERT INTO experiment_services (experiment, service, owner) VALUES ({}, {}, {})",
                                     row["id"], services[name], rank == 0)
        for title in dict.fromkeys(head.get("objectives", [])):
            if title in objectives:
                await _sql("INSERT INTO experiment_objectives (experiment, objective) VALUES ({}, {})",
                                     row["id"], objectives[title])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)
    manager.add_raw(_fill)
    for column in ("services_index", "objectives_index"):
        manager.drop_column(table_class_name="Experiment", tablename="experiment", column_name=column,
                            db_column_name=column, schema=None)
    return manager
