"""Database engine set-up, migrations and transactions.

SQLite: WAL journal and a 30 s busy timeout, write transactions opened IMMEDIATE
(a DEFERRED read-then-write transaction fails with "database is locked" under
concurrency). PostgreSQL: asyncpg, with a connection pool when serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime
import os
import re
import sqlite3
import threading
import urllib.parse
import weakref
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

os.environ.setdefault("PICCOLO_CONF", "tal.piccolo_conf")

SQLITE_TIMEOUT_S = 30
# Rows a bulk insert writes in one statement (well under both engines' limit of parameters).
BATCH = 200
# The largest id a table holds: an id beyond it (from an address) is simply unknown.
MAX_ID = 2**31 - 1


def json_value(value):
    """A JSON column's value: text on SQLite (decoded here), already decoded on PostgreSQL."""
    import msgspec

    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else value


def _unique_violations() -> tuple[type[Exception], ...]:
    import asyncpg

    return (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)


# What a concurrent insert of the same unique value raises, on either engine.
UNIQUE_VIOLATIONS = _unique_violations()


class _ClosingTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction, closing its connection when BEGIN or COMMIT fails (a
    database locked past the busy timeout): otherwise the connection, and the thread
    aiosqlite runs it on, stay open for ever, and the process cannot exit."""

    async def begin(self) -> None:
        try:
            await super().begin()
        except BaseException:
            await self.connection.close()
            raise

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        try:
            return await super().__aexit__(exception_type, exception, traceback)
        except BaseException:
            if self._parent is None:
                await self.connection.close()  # a no-op when Piccolo closed it already
                self.engine.current_transaction.reset(self.context)
            raise


# Read-only connections kept per engine for queries outside a transaction (more are
# closed after use): Piccolo opens a new connection, and a thread, for each query.
READERS_KEPT = 8
_READ_STATEMENT = re.compile(r"\s*SELECT\b", re.IGNORECASE)


class TalSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, with the costs of its per-query connections taken out.

    A SELECT outside a transaction runs on a kept read-only connection (opened with
    `mode=ro`: SQLite itself refuses a write there), in the event loop's thread pool,
    instead of a new aiosqlite connection and thread per query (about 1 ms, and tens
    of milliseconds when many requests miss a cache at once). Autocommit: each
    statement reads the latest committed data, as a new connection would. Writes, and
    every query inside a transaction, and any query before the file exists, go
    through Piccolo's connections as before."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._readers: list[sqlite3.Connection] = []
        self._readers_file: tuple[int, int] | None = None
        self._readers_lock = threading.Lock()

    def _reader(self) -> tuple[sqlite3.Connection, tuple[int, int]]:
        """A connection to the file at the path, and that file (device, inode)."""
        stat = os.stat(self.path)
        file = (stat.st_dev, stat.st_ino)
        with self._readers_lock:
            if self._readers_file != file:  # a new file at this path
                for old in self._readers:
                    old.close()
                self._readers = []
                self._readers_file = file
            if self._readers:
                return self._readers.pop(), file
        kwargs = {k: v for k, v in self.connection_kwargs.items() if k != "database"}
        connection = sqlite3.connect(f"file:{urllib.parse.quote(self.path)}?mode=ro", uri=True,
                                     **{**kwargs, "check_same_thread": False})
        connection.row_factory = dict_factory
        return connection, file

    def _read(self, query: str, args: list) -> list[dict]:
        connection, file = self._reader()
        try:
            rows = connection.execute(query, args).fetchall()
        except BaseException:
            connection.close()
            raise
        with self._readers_lock:
            # Not kept if the file was replaced while it read (it would read the old file).
            if file == self._readers_file and len(self._readers) < READERS_KEPT:
                self._readers.append(connection)
                connection = None
        if connection is not None:
            connection.close()
        return rows

    async def _run_in_new_connection(self, query: str, args=None, query_type: str = "generic", table=None):
        if query_type == "generic" and _READ_STATEMENT.match(query) and os.path.exists(self.path):
            return await asyncio.get_running_loop().run_in_executor(None, self._read, query, args or [])
        return await super()._run_in_new_connection(query, args, query_type, table)

    async def _run_in_existing_connection(self, connection, query: str, args=None, query_type: str = "generic",
                                          table=None):
        """A query inside a transaction, in one trip to aiosqlite's thread (execute and
        fetch) instead of four (Piccolo repeats PRAGMA foreign_keys, which
        `get_connection` already set before BEGIN and which is a no-op inside a
        transaction, then executes, fetches and closes the cursor in separate trips)."""
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING: Piccolo's way
            return await super()._run_in_existing_connection(connection, query, args, query_type, table)
        return await connection.execute_fetchall(query, args or [])

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return _ClosingTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


def make_engine(url: str) -> Engine:
    """An engine for a TAL_DATABASE_URL."""
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return TalSQLiteEngine(path=str(path), timeout=SQLITE_TIMEOUT_S)
    return PostgresEngine(config={"dsn": url.replace("postgres://", "postgresql://", 1)})


def prepare_sqlite(engine: Engine) -> None:
    """Turn on WAL mode (it is kept in the file) before the first connection."""
    if isinstance(engine, SQLiteEngine):
        with sqlite3.connect(engine.path, timeout=SQLITE_TIMEOUT_S) as conn:
            conn.execute("PRAGMA journal_mode=WAL")


def all_tables() -> list:
    from tal.piccolo_conf import APP_REGISTRY

    return [table for config in APP_REGISTRY.app_configs.values() for table in config.table_classes]


def use_engine(engine: Engine) -> None:
    """Point every table (and Piccolo's migration table) at this engine."""
    from piccolo.apps.migrations.tables import Migration

    import tal.piccolo_conf

    tal.piccolo_conf.DB = engine
    for table in [*all_tables(), Migration]:
        table._meta.db = engine


def current_engine() -> Engine:
    import tal.piccolo_conf

    return tal.piccolo_conf.DB


async def migrate() -> None:
    """Run every migration forward (idempotent)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    prepare_sqlite(current_engine())
    with contextlib.redirect_stdout(open(os.devnull, "w")):
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")
    await ensure_generation()
    await analyse()


# PostgreSQL: the data generation, one row that every committing write transaction moves
# on once, at commit (a deferred trigger on every table: the lock on that row is taken
# last, so writers cannot deadlock on it). Pages kept in memory (tal.core.rendercache)
# are valid while it stays. SQLite needs none: `PRAGMA data_version` tells the same.
_GENERATION_SETUP = [
    "CREATE TABLE IF NOT EXISTS tal_generation (id integer PRIMARY KEY, value bigint NOT NULL)",
    "INSERT INTO tal_generation (id, value) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    """CREATE OR REPLACE FUNCTION tal_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('tal.generation_bumped', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('tal.generation_bumped', txid_current()::text, true);
    UPDATE tal_generation SET value = value + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$""",
]
GENERATION_LOCK = 7_245_001


async def ensure_generation() -> None:
    """Create the generation row and its triggers on every table that lacks them
    (idempotent; workers starting together take turns on an advisory lock)."""
    engine = current_engine()
    if not isinstance(engine, PostgresEngine):
        return
    async with engine.transaction():
        await engine.run_ddl(f"SELECT pg_advisory_xact_lock({GENERATION_LOCK})")
        for sql in _GENERATION_SETUP:
            await engine.run_ddl(sql)
        rows = await engine.run_ddl(
            "SELECT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'tal_generation_rows'")
        done = {r["name"] for r in rows}
        for table in all_tables():
            name = table._meta.tablename
            if name in done:
                continue
            await engine.run_ddl(
                f'CREATE CONSTRAINT TRIGGER tal_generation_rows AFTER INSERT OR UPDATE OR DELETE ON "{name}" '
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tal_bump_generation()")
            await engine.run_ddl(
                f'CREATE TRIGGER tal_generation_truncate AFTER TRUNCATE ON "{name}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION tal_bump_generation()")


async def analyse() -> None:
    """Refresh SQLite's statistics of the tables (ANALYZE): without them its planner
    takes an index on a column of few values (a state) over the index that gives the
    order of a page (newest first) and sorts every row. PostgreSQL keeps its own."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("ANALYZE")


# SQLite has one writer at a time. Write transactions of one process queue on an
# asyncio lock (first come, first served) rather than poll SQLite's busy lock, which
# under a burst (200 sign-ins at once) can starve some past the busy timeout.
_WRITE_LOCKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_WRITING: contextvars.ContextVar[bool] = contextvars.ContextVar("tal_sqlite_writing", default=False)


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    if loop not in _WRITE_LOCKS:
        _WRITE_LOCKS[loop] = asyncio.Lock()
    return _WRITE_LOCKS[loop]


@contextlib.asynccontextmanager
async def transaction(write: bool = True) -> AsyncIterator[None]:
    """One transaction; on SQLite, IMMEDIATE when it will write."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        kind = TransactionType.immediate if write else TransactionType.deferred
        if write and not _WRITING.get():
            async with _write_lock():
                token = _WRITING.set(True)
                try:
                    async with engine.transaction(transaction_type=kind):
                        yield
                finally:
                    _WRITING.reset(token)
        else:
            async with engine.transaction(transaction_type=kind):
                yield
    else:
        async with engine.transaction():
            yield


# Within a bulk load (one transaction, `remembering_ids`), the ids of services,
# objectives and tags looked up by name are read once and remembered: only names
# found are remembered, so a row created later in the load is read when first asked.
_IDS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("tal_ids_by_name", default=None)


@contextlib.contextmanager
def remembering_ids() -> Iterator[None]:
    token = _IDS.set({})
    try:
        yield
    finally:
        _IDS.reset(token)


async def ids_by_name(table, column, names: list[str]) -> dict[str, int]:
    """The ids of the rows of `table` whose `column` is one of `names`, by name."""
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    cache = _IDS.get()
    known = {} if cache is None else cache.setdefault((table._meta.tablename, column._meta.name), {})
    if missing := [name for name in names if name not in known]:
        rows = await table.select(table.id, column).where(column.is_in(missing))
        known.update({r[column._meta.name]: r["id"] for r in rows})
    return {name: known[name] for name in names if name in known}


_PLAIN = frozenset({str, int, float, bool, datetime.date, datetime.datetime, type(None)})


def _default(column):
    """A column's default value for a new row, as a new instance of its table gets it."""
    from piccolo.columns.defaults.base import Default

    value = column.get_default_value()
    return value.python() if isinstance(value, Default) else value


async def insert_all(table, rows: list, *returning) -> list[dict]:
    """Insert `rows` of `table`, BATCH a statement; the `returning` columns of each row.
    A row is a new instance of the table, or a dict of values by column name (a column
    it leaves out takes its default). The statement is the one Piccolo's insert makes,
    the database giving the ids, built in one pass over the values: Piccolo nests a query
    string per row and per value, which was most of a bulk load's time."""
    from piccolo.columns.column_types import JSON, JSONB
    from piccolo.querystring import QueryString
    from piccolo.utils.sql_values import convert_to_sql_value

    def quoted(column) -> str:
        return f'"{column._meta.db_column_name}"'

    columns = [c for c in table._meta.columns if not c._meta.primary_key]
    names = [c._meta.name for c in columns]
    known = set(names)
    # Plain values go as they are; the others (JSON documents, enums, rows) as Piccolo sends them.
    plain = [not isinstance(c, (JSON, JSONB)) for c in columns]
    head = f"INSERT INTO {table._meta.get_formatted_tablename()} ({','.join(map(quoted, columns))}) VALUES "
    tail = f" RETURNING {','.join(map(quoted, returning))}" if returning else ""
    marks = "(" + ",".join("{}" for _ in columns) + ")"
    out: list[dict] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        values = []
        for row in batch:
            if isinstance(row, dict):  # a default is taken for each row, as an instance takes it
                if unknown := row.keys() - known:
                    raise ValueError(f"{table.__name__} has no column {sorted(unknown)}")
                given = [row[name] if name in row else _default(column) for name, column in zip(names, columns)]
            else:
                given = [getattr(row, name) for name in names]
            values += [v if keep and type(v) in _PLAIN else convert_to_sql_value(v, c)
                       for v, c, keep in zip(given, columns, plain)]
        query = QueryString(head + ",".join([marks] * len(batch)) + tail, *values)
        out += [dict(r) for r in await table._meta.db.run_querystring(query)]
    return out
