"""A cache of rendered pages, keyed on everything a page depends on, emptied by any write.

A page read (GET, 200) under `PREFIXES` is kept, in memory, under a key made of the
path and query, the reader's language, the reader (the whole actor: id, role, service;
a bearer request apart), the reader's CSRF cookie (forms carry its token), the day
(pages show « aujourd'hui ») and the *data generation*: a value that changes whenever
any write is committed to the database, by any process:

- SQLite: `PRAGMA data_version` read on a connection of this process that never
  writes (it changes when another connection commits; WAL mode, several processes);
- PostgreSQL: the row `tal_generation`, moved on at commit by a trigger on every table
  (see `tal.db.ensure_generation`).

The generation is read before the page is computed, so a page computed while a write
commits is kept under the older generation and never served again. No page is kept or
served while a flash message waits in the session, nor one that sets a cookie (the CSRF
cookie of a first visit is the exception when its token is not in the page). Entries
are bounded in number and in bytes (least recently used first out), and a change of
generation empties the cache.

`Last-Modified` is the time this process first saw the generation for this reader (so
a change of language, of account or of day gives a newer date), given only once a full
second has passed (HTTP dates have one-second resolution); `If-Modified-Since` at or
after it answers 304 when no `If-None-Match` is sent (RFC 9110: the ETag wins).
"""

from __future__ import annotations

import email.utils
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from typing import Any

from litestar._parsers import parse_cookie_string
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from piccolo.engine.sqlite import SQLiteEngine

from tal import db, i18n
from tal.core.once import Once
from tal.core.templating import FLASH

PREFIXES = ("/experimentations", "/journal", "/api/v1/experiments", "/api/v1/journal", "/revue", "/api/v1/review")
EXACT = ("/",)
MAX_ENTRIES = 2_000
MAX_BYTES = 32 * 1024 * 1024
MAX_ENTRY_BYTES = 1024 * 1024
# Requests whose key would be large are served without being kept: a page is not worth
# keeping under a crafted 60 KB query or cookie, and the bounds count the key's bytes too.
MAX_KEY_BYTES = 2048
CSRF_COOKIE = "tal_csrf"


def clock() -> float:
    """The current time, in seconds (one place for tests to move it)."""
    return time.time()


class _SQLiteVersion:
    """`PRAGMA data_version` on one read-only connection per database file and process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[str, tuple[int, int, sqlite3.Connection]] = {}

    def read(self, path: str) -> tuple:
        stat = os.stat(path)
        with self._lock:
            held = self._connections.get(path)
            if held is None or held[:2] != (stat.st_dev, stat.st_ino) or held[2] is None:
                if held is not None:
                    held[2].close()
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False,
                                       timeout=db.SQLITE_TIMEOUT_S)
                held = (stat.st_dev, stat.st_ino, conn)
                self._connections[path] = held
            version = held[2].execute("PRAGMA data_version").fetchone()[0]
        return (path, stat.st_ino, id(held[2]), version)


_SQLITE = _SQLiteVersion()


async def generation() -> tuple | None:
    """A value that changes whenever a write is committed to the database, by any
    process; None when it cannot be known (then nothing is cached)."""
    engine = db.current_engine()
    try:
        if isinstance(engine, SQLiteEngine):
            return _SQLITE.read(engine.path)
        rows = await engine.run_ddl("SELECT value FROM tal_generation WHERE id = 1")
        return ("pg", id(engine), rows[0]["value"])
    except Exception:  # noqa: BLE001 - no generation, no cache: the page is computed as before
        return None


class _Entry:
    __slots__ = ("status", "headers", "body", "size")

    def __init__(self, status: int, headers: list, body: bytes, key_size: int = 0) -> None:
        self.status, self.headers, self.body = status, headers, body
        self.size = len(body) + sum(len(k) + len(v) for k, v in headers) + key_size + 200


class RenderCache:
    """The kept pages of one process: least recently used out first, bounded in
    number and in bytes; every entry of another generation is dropped at once."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._bytes = 0
        self._generation: object = None
        self._first_seen: OrderedDict[tuple, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._bytes

    def _turn(self, generation: object) -> None:
        if generation != self._generation:
            self._entries.clear()
            self._bytes = 0
            self._generation = generation

    def get(self, generation: object, key: tuple) -> _Entry | None:
        self._turn(generation)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, generation: object, key: tuple, entry: _Entry) -> None:
        if generation != self._generation or entry.size > min(MAX_ENTRY_BYTES, self.max_bytes):
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += entry.size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= dropped.size

    def since(self, reader: tuple, now: float) -> float:
        """When this process first saw this reader's view of the data (LRU-bounded)."""
        seen = self._first_seen.get(reader)
        if seen is None:
            seen = self._first_seen[reader] = now
            while len(self._first_seen) > self.max_entries:
                self._first_seen.popitem(last=False)
        else:
            self._first_seen.move_to_end(reader)
        return seen


def _cookies(headers: dict[bytes, bytes]) -> dict[str, str]:
    """The request's cookies, read as Litestar reads them for the page (unquoted; the
    last of a repeated name wins), so that the key's language is the page's."""
    return parse_cookie_string(headers.get(b"cookie", b"").decode("latin-1"))


def _set_cookie_name(value: bytes) -> str:
    return value.decode("latin-1").split("=", 1)[0].strip()


def _not_modified_since(headers: dict[bytes, bytes], last_modified: int) -> bool:
    if b"if-none-match" in headers or b"if-modified-since" not in headers:
        return False
    try:
        since = email.utils.parsedate_to_datetime(headers[b"if-modified-since"].decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return False
    return since.tzinfo is not None and since.timestamp() >= last_modified


async def _replay(send: Send, entry: _Entry, extra: list) -> None:
    await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers + extra})
    await send({"type": "http.response.body", "body": entry.body})


class CachedPages(ASGIMiddleware):
    """Serve a page read from `RenderCache` when nothing it depends on changed, and
    give it `Last-Modified` (304 on `If-Modified-Since`)."""

    def __init__(self, cache: RenderCache | None = None) -> None:
        self.cache = cache if cache is not None else RenderCache()
        self._once = Once()

    @staticmethod
    def applies(scope: Scope) -> bool:
        path = scope.get("path", "")
        return (scope["type"] == "http" and scope.get("method") == "GET"
                and (path in EXACT or path.startswith(PREFIXES)))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session = scope.get("session")
        if not self.applies(scope) or (isinstance(session, dict) and FLASH in session):
            await next_app(scope, receive, send)
            return
        generation_now = await generation()
        if generation_now is None:
            await next_app(scope, receive, send)
            return
        headers = dict((k.lower(), v) for k, v in scope.get("headers", []))
        state = scope.get("state", {})
        cookies = _cookies(headers)
        csrf = cookies.get(CSRF_COOKIE, "")
        lang = i18n.pick(cookies.get("lang") or None, headers.get(b"accept-language", b"").decode("latin-1"))
        reader = (generation_now, lang, repr(state.get("actor")), bool(state.get("bearer")), time.strftime("%Y-%m-%d"))
        # The host and scheme too: a page may hold absolute addresses (the Atom feeds).
        where = (scope.get("scheme", ""), headers.get(b"host", b""), scope.get("root_path", ""))
        key = (*reader, *where, csrf, scope.get("path"), scope.get("query_string", b""))
        key_size = sum(len(part) for part in key[2:] if isinstance(part, (str, bytes)))
        if key_size > MAX_KEY_BYTES:
            await next_app(scope, receive, send)
            return
        now = clock()
        since = self.cache.since(reader, now)
        last_modified = int(since)
        dated = now - since >= 1
        extra = [(b"last-modified", email.utils.formatdate(last_modified, usegmt=True).encode())] if dated else []
        entry = self.cache.get(generation_now, key)
        if entry is not None:
            if dated and _not_modified_since(headers, last_modified):
                kept = [(k, v) for k, v in entry.headers if k.lower() not in (b"content-length", b"content-type")]
                await send({"type": "http.response.start", "status": 304, "headers": kept + extra})
                await send({"type": "http.response.body", "body": b""})
                return
            await _replay(send, entry, extra)
            return
        # One computation per key at a time: readers arriving meanwhile wait for it, then
        # take it from the cache (after a write, 16 readers do not compute 16 copies).
        await self._once.wait(key)
        if (entry := self.cache.get(generation_now, key)) is not None:
            await _replay(send, entry, extra)
            return
        async with self._once.computing(key):
            await self._compute(scope, receive, send, next_app, generation_now, key, csrf, extra, key_size)

    async def _compute(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp, generation_now: object,
                       key: tuple, csrf: str, extra: list, key_size: int) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keeping(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if message["status"] != 200:
                    await send(message)
                    return
                await send({**message, "headers": [*message.get("headers", []), *extra]})
                return
            if start.get("status") == 200 and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    self._keep(generation_now, key, start, b"".join(chunks), csrf, key_size)
            await send(message)

        await next_app(scope, receive, keeping)

    def _keep(self, generation_now: object, key: tuple, start: dict, body: bytes, csrf: str, key_size: int) -> None:
        kept = []
        for name, value in start.get("headers", []):
            if name.lower() == b"set-cookie":
                # A first visit's CSRF cookie: kept out of the entry, and the page kept only without its token.
                text = value.decode("latin-1")
                token = text.split("=", 1)[-1].split(";", 1)[0]
                if csrf or _set_cookie_name(value) != CSRF_COOKIE or not token or token.encode() in body:
                    return
                continue
            if name.lower() == b"last-modified":
                continue
            kept.append((name, value))
        self.cache.put(generation_now, key, _Entry(start["status"], kept, body, key_size))
