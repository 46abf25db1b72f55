"""Services, objectives and tags as related rows: an index on every foreign key, the
migration that builds the rows from an existing database without losing data, and
filters that read them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import PG_URL, TMP
from tal import db

BEFORE = {  # the last migration of each app before the related rows
    "accounts": "2026-11-29T11:25:00:000000",
    "experiments": "2026-11-29T10:50:00:000000",
    "journal": "2026-11-28T11:05:23:632170",
}


async def _indexes(engine, table: str) -> set[str]:
    """The first column of every index of `table`."""
    from piccolo.querystring import QueryString

    if engine.engine_type == "sqlite":
        columns = set()
        for index in await engine.run_querystring(QueryString(f"PRAGMA index_list('{table}')")):
            info = await engine.run_querystring(QueryString(f"PRAGMA index_info('{index['name']}')"))
            columns.add(info[0]["name"])
        return columns
    rows = await engine.run_querystring(QueryString(
        "SELECT a.attname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] WHERE c.relname = {}", table))
    return {r["name"] for r in rows}


async def test_every_foreign_key_has_an_index(database):
    from piccolo.columns import ForeignKey

    engine = db.current_engine()
    missing = []
    for table in db.all_tables():
        indexed = await _indexes(engine, table._meta.tablename)
        for column in table._meta.columns:
            if isinstance(column, ForeignKey) and column._meta.db_column_name not in indexed:
                missing.append(f"{table._meta.tablename}.{column._meta.db_column_name}")
    assert missing == []


def _engines() -> list[str]:
    return ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=_engines())
async def old_database(request):
    """A database migrated up to the schema with `|…|` text columns. On PostgreSQL it is
    the test database, rebuilt: the test leaves it fully migrated, as other tests expect."""
    from tal.experiments.tables import Experiment

    previous = db.current_engine()
    if request.param == "sqlite":
        path = TMP / "old-schema.sqlite"
        path.unlink(missing_ok=True)
        engine = db.make_engine(f"sqlite:///{path}")
    else:
        engine = db.make_engine(PG_URL)
        await engine.run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    db.use_engine(engine)
    try:
        yield engine
    finally:
        if request.param == "postgresql":
            await db.migrate()
        db.use_engine(previous)
    assert Experiment._meta.db is previous


async def test_migration_builds_related_rows_from_existing_data(old_database):
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from tal.experiments import services as experiments
    from tal.journal import services as journal

    for app, migration_id in BEFORE.items():
        assert (await run_forwards(app, migration_id)).success
    engine = old_database

    async def sql(query: str, *args):
        from piccolo.querystring import QueryString

        return await engine.run_querystring(QueryString(query, *args))

    for name in ("Population", "Numérique", "Voirie"):
        await sql("INSERT INTO service (name) VALUES ({})", name)
    await sql("INSERT INTO objective (title) VALUES ({})", "Simplifier")
    await sql("INSERT INTO tag (name) VALUES ({})", "outil")
    ids = {r["name"]: r["id"] for r in await sql("SELECT id, name FROM service")}
    document = {"format": "tal-experiment/1", "experiment": {
        "slug": "essai", "title": "Essai", "service": "Population", "partner_services": ["Numérique"],
        "objectives": ["Simplifier"], "design": "randomized", "status": "draft", "visibility": "internal",
        "summary": ""}}
    await sql("INSERT INTO experiment (slug, title, service, design, status, visibility, document, plan_hash, "
              "services_index, objectives_index, search_text, status_history, created_at, updated_at, version) "
              "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
              "essai", "Essai", ids["Population"], "randomized", "draft", "internal", json.dumps(document), "x",
              "|Population|Numérique|", "|Simplifier|", "essai", "[]", dt.datetime.now(dt.timezone.utc),
              dt.datetime.now(dt.timezone.utc), 1)
    [experiment] = await sql("SELECT id FROM experiment")
    for title, state, services in (("Publiée", "published", ["Voirie"]), ("Retirée", "withdrawn", [])):
        await sql("INSERT INTO journal_entry (experiment, position, team, signed, title, happened_on, what_happened, "
                  "what_we_expected, contributing_factors, what_went_well, what_we_learned, what_we_change, tags, "
                  "services, tags_index, services_index, state, public, search_text, created_at, published_at, "
                  "updated_at, version) VALUES ({}, 0, {}, {}, {}, {}, '', '', '', '', '', '', {}, {}, '', '', {}, "
                  "{}, '', {}, {}, {}, 1)",
                  experiment["id"], ids["Population"], False, title, dt.date(2026, 3, 1), json.dumps(["outil"]),
                  json.dumps(services), state, False, dt.datetime.now(dt.timezone.utc),
                  dt.datetime.now(dt.timezone.utc), dt.datetime.now(dt.timezone.utc))

    await db.migrate()

    async with db.transaction(write=False):
        for service in ("Population", "Numérique"):
            page = await experiments.search(experiments.Filters(service=service), None)
            assert page.total == 0  # internal: the public sees nothing
        agent = _agent()
        assert [s.slug for s in (await experiments.search(experiments.Filters(service="Numérique"), agent)).items] \
            == ["essai"]
        assert (await experiments.search(experiments.Filters(service="Voirie"), agent)).total == 0
        assert (await experiments.search(experiments.Filters(objective="Simplifier"), agent)).total == 1
        by_tag = await journal.search(journal.JournalFilters(tag="outil"), agent)
        assert [e.title for e in by_tag.items] == ["Publiée"]  # a withdrawn entry matches no filter
        for service in ("Voirie", "Population"):
            assert [e.title for e in (await journal.search(journal.JournalFilters(service=service), agent)).items] \
                == ["Publiée"]
        assert (await journal.search(journal.JournalFilters(service="Numérique"), agent)).total == 0
    columns = {r["name"] for r in await sql(
        "PRAGMA table_info('experiment')" if engine.engine_type == "sqlite" else
        "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'experiment' "
        "AND table_schema = current_schema()")}
    assert "services_index" not in columns and "document" in columns


def _agent():
    from tal.accounts.actor import Actor

    return Actor(id=999, username="agent", display_name="Agent", role="agent", service="Population")
