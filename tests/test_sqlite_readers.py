"""SQLite: reads outside a transaction run on kept read-only connections. They see
every committed write at once, can never write, and follow a database file replaced
at the same path; writes and transactions keep Piccolo's own connections."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from conftest import TMP
from tal import db


@pytest.fixture
async def engine():
    path = TMP / "readers.sqlite"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    engine = db.make_engine(f"sqlite:///{path}")
    db.prepare_sqlite(engine)
    await engine.run_ddl("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    yield engine
    for connection in engine._readers:
        connection.close()


async def _names(engine) -> list[str]:
    return [r["name"] for r in await engine._run_in_new_connection("SELECT name FROM item ORDER BY id")]


async def test_reads_see_each_committed_write_and_reuse_their_connections(engine):
    assert await _names(engine) == []
    kept = list(engine._readers)
    assert len(kept) == 1  # the read ran on a kept connection, not Piccolo's
    await engine._run_in_new_connection("INSERT INTO item (name) VALUES ('a')")
    assert await _names(engine) == ["a"]
    async with engine.transaction():
        await engine.run_ddl("INSERT INTO item (name) VALUES ('b')")
    assert await _names(engine) == ["a", "b"]
    assert engine._readers == kept  # the same connection, reading the latest data


async def test_a_write_can_never_go_through_a_read_connection(engine):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await asyncio.get_running_loop().run_in_executor(
            None, engine._read, "INSERT INTO item (name) VALUES ('x')", [])
    assert await _names(engine) == []
    # Statements that are not a SELECT go to Piccolo's connection, and write.
    await engine._run_in_new_connection("  insert into item (name) values ('y')")
    assert await _names(engine) == ["y"]


async def test_concurrent_reads_are_bounded_in_kept_connections(engine):
    await engine._run_in_new_connection("INSERT INTO item (name) VALUES ('a')")
    results = await asyncio.gather(*(_names(engine) for _ in range(40)))
    assert results == [["a"]] * 40
    assert 1 <= len(engine._readers) <= db.READERS_KEPT


async def test_a_file_replaced_at_the_same_path_is_read_afresh(engine):
    await engine._run_in_new_connection("INSERT INTO item (name) VALUES ('old')")
    assert await _names(engine) == ["old"]
    path = TMP / "readers.sqlite"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with sqlite3.connect(path) as fresh:
        fresh.execute("PRAGMA journal_mode=WAL")
        fresh.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        fresh.execute("INSERT INTO item (name) VALUES ('new')")
    fresh.close()
    assert await _names(engine) == ["new"]


async def test_a_failed_read_names_its_error_and_keeps_no_broken_connection(engine):
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await engine._run_in_new_connection("SELECT * FROM nowhere")
    assert await _names(engine) == []


def _replace(path, name: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with sqlite3.connect(path) as fresh:
        fresh.execute("PRAGMA journal_mode=WAL")
        fresh.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        fresh.execute("INSERT INTO item (name) VALUES (?)", (name,))
    fresh.close()


async def test_a_read_of_the_old_file_running_while_it_is_replaced_does_not_keep_its_connection(engine, monkeypatch):
    """A connection in use when the file is replaced (another read has seen the new
    file meanwhile) is closed after its read, not kept to serve the old file again."""
    await engine._run_in_new_connection("INSERT INTO item (name) VALUES ('old')")
    assert await _names(engine) == ["old"]
    reader = engine._reader
    replaced = False

    def replacing_meanwhile():
        nonlocal replaced
        taken = reader()  # a connection of the old file, now in use
        if not replaced:
            replaced = True
            _replace(TMP / "readers.sqlite", "new")
            assert engine._read("SELECT name FROM item", []) == [{"name": "new"}]
        return taken

    monkeypatch.setattr(engine, "_reader", replacing_meanwhile)
    assert await _names(engine) == ["old"]  # the read begun on the old file ends there
    monkeypatch.setattr(engine, "_reader", reader)
    for _ in range(3):
        assert await _names(engine) == ["new"]
