"""Test set-up: every database test runs on SQLite, and on PostgreSQL as well when
TAL_TEST_DATABASE_URL is set. Tests reach the app through HTTP (httpx on the ASGI
app, same event loop, no shared connection pool), the command line or the file format.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
import threading
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="tal-tests-"))
os.environ["TAL_DATA_DIR"] = str(TMP / "data")
os.environ["TAL_DATABASE_URL"] = f"sqlite:///{TMP / 'default.sqlite'}"
os.environ["TAL_SECRET_KEY"] = secrets.token_urlsafe(48)
os.environ["PICCOLO_CONF"] = "tal.piccolo_conf"

import httpx  # noqa: E402
import pytest  # noqa: E402

from tal import db  # noqa: E402
from tal.accounts import passwords  # noqa: E402

# Hashing is 600,000 PBKDF2 rounds in production (tested in test_accounts.py);
# a few rounds keep the suite fast.
passwords.ITERATIONS = 1_000

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "experiments"
PG_URL = os.environ.get("TAL_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
_engines: dict[str, object] = {}


def pytest_unconfigure(config) -> None:
    """An aiosqlite connection left open keeps a non-daemon thread alive, and the test
    process would then never exit (CI would wait until its timeout): fail loudly instead."""
    left = [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]
    for thread in left:
        thread.join(timeout=5)
    if any(t.is_alive() for t in left):
        sys.stderr.write("\nERROR: an SQLite connection was left open by a test or by TAL "
                         "(an aiosqlite thread is still running); the test run fails.\n")
        sys.stderr.flush()
        os._exit(3)


async def _engine(backend: str):
    if backend not in _engines:
        if backend == "sqlite":
            engine = db.make_engine(f"sqlite:///{TMP / 'tests.sqlite'}")
            db.use_engine(engine)
        else:
            engine = db.make_engine(PG_URL)
            db.use_engine(engine)
            await engine.run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
            await engine.run_ddl("CREATE SCHEMA public")
        await db.migrate()
        _engines[backend] = engine
    return _engines[backend]


async def _empty(engine) -> None:
    tables = [t._meta.tablename for t in reversed(db.all_tables())]
    if backend_of(engine) == "sqlite":
        for name in tables:
            await engine.run_ddl(f"DELETE FROM {name}")
    else:
        await engine.run_ddl(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def backend_of(engine) -> str:
    return "sqlite" if engine.engine_type == "sqlite" else "postgresql"


@pytest.fixture(params=BACKENDS)
async def database(request):
    """An empty, migrated database, on each backend in turn."""
    engine = await _engine(request.param)
    db.use_engine(engine)
    await _empty(engine)
    yield request.param


class Client:
    """An HTTP client on the app that fills in the CSRF token of forms."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, url: str, **kw) -> httpx.Response:
        return await self.http.get(url, **kw)

    async def csrf(self) -> str:
        if "tal_csrf" not in self.http.cookies:
            await self.http.get("/connexion")
        return self.http.cookies["tal_csrf"]

    async def post(self, url: str, data: dict | list | None = None, csrf: bool = True, version: bool = True,
                   **kw) -> httpx.Response:
        """`version`: like a browser that has just shown the form, send the current
        version of the experiment or journal entry when the data do not say one."""
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            items.append(("_csrf_token", await self.csrf()))
        if version and not any(key == "version" for key, _ in items):
            current = await current_version(url)
            if current is not None:
                items.append(("version", current))
        return await self.http.post(url, data=_flatten(items), **kw)

    async def login(self, username: str, password: str = "mot-de-passe-de-test") -> httpx.Response:
        response = await self.post("/connexion", {"username": username, "password": password})
        assert response.status_code == 303, response.text
        return response


async def current_version(url: str) -> int | None:
    """The version a write form of this address is based on (experiment or journal entry)."""
    from tal.experiments.tables import Experiment
    from tal.journal.tables import JournalEntry

    if match := re.fullmatch(r"/experimentations/([a-z0-9-]+)/.+", url):
        row = await Experiment.select(Experiment.version).where(Experiment.slug == match.group(1)).first()
    elif match := re.fullmatch(r"/journal/([0-9]{1,9})/.+", url):
        row = await JournalEntry.select(JournalEntry.version).where(JournalEntry.id == int(match.group(1))).first()
    else:
        return None
    return row["version"] if row else None


def _flatten(items: list[tuple[str, object]]) -> dict[str, list[str]]:
    """Form fields, a key repeated for each value of a list (checkboxes)."""
    flat: dict[str, list[str]] = {}
    for key, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        flat.setdefault(key, []).extend(str(v) for v in values)
    return flat


@pytest.fixture
async def client(database):
    from tal.app import create_app

    app = create_app(migrate=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Client(http)


@pytest.fixture
async def other_client(database):
    """A second browser, for another user."""
    from tal.app import create_app

    transport = httpx.ASGITransport(app=create_app(migrate=False), client=("127.0.0.2", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Client(http)


PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
async def accounts(database):
    """One account per role, and an agent of another service."""
    from tal.accounts.services import create_account

    made = {}
    for username, role, service in [
        ("agent", "agent", "Population et citoyenneté"),
        ("numerique", "agent", "Numérique"),
        ("voirie", "agent", "Voirie et propreté"),
        ("manager", "manager", "Population et citoyenneté"),
        ("comite", "committee", "Direction générale des services"),
        ("admin", "admin", None),
    ]:
        async with db.transaction():
            made[username] = await create_account(username, PASSWORD, role=role, service=service)
    return made


@pytest.fixture
async def samples(database):
    """The sample experiments, loaded."""
    from tal import loader
    from tal.experiments import fileformat

    docs = [fileformat.read(p) for p in fileformat.collect([SAMPLES])]
    async with db.transaction():
        await loader.load_documents(docs)
    return {d.experiment.slug: d for d in docs}


def text_of(html: str) -> str:
    """The visible text of a page, in one line, for assertions."""
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def names_field(html: str, field: str) -> bool:
    """A page's error summary links to the field (named on the page as it is labelled)."""
    anchor = field.replace("[", "-").replace("]", "").replace(".", "-")
    return f'href="#f-{anchor}"' in html
