"""Load test: concurrent sign-ins and concurrent journal posts against a real server.

Run from the repository root:

    python benchmarks/load_concurrency.py --engine sqlite
    python benchmarks/load_concurrency.py --engine postgresql --pg-url postgresql://postgres@127.0.0.1:5432/postgres

Loopback only. For each engine it creates a temporary database (SQLite file in a
temporary folder; on PostgreSQL a new database next to the one --pg-url names,
dropped afterwards), migrates it, creates accounts, starts
`uvicorn --factory tal.app:serve_app --workers 2` on 127.0.0.1, then:

  1. N concurrent sign-ins (default 200), each from its own simulated address
     (X-Forwarded-For, trusted from 127.0.0.1 for this run only through
     FORWARDED_ALLOW_IPS): one agent of a mairie behind each;
  2. N concurrent journal posts by those signed-in agents, each with a unique title,
     with every field the form renders (hidden ones such as a version included).

It prints the counts of statuses, and checks that no answer is a 500, that every
sign-in is in the audit log once, and that every journal post answered 303 is stored
exactly once (nothing lost, nothing doubled). Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "phrase-de-passe-du-banc-d-essai"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def create_database(url: str, name: str, drop: bool = False) -> str:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.rsplit("/", 1)[0] + "/" + name


def prepare(env: dict, accounts: int, iterations: int) -> None:
    """Migrate and create the accounts, in a child process on the benchmark's database."""
    code = f"""
import asyncio
from tal import db
from tal.accounts import passwords, services
passwords.ITERATIONS = {iterations}
async def main():
    await db.migrate()
    async with db.transaction():
        for i in range({accounts}):
            await services.create_account(f"agent{{i}}", {PASSWORD!r}, role="agent", service="Numérique")
asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def count_rows(env: dict, sql: str) -> int:
    code = f"""
import asyncio
from tal import db
async def main():
    rows = await db.current_engine().run_ddl({sql!r})
    print(rows[0]["n"])
asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


async def wait_until_up(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base) as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get("/sante")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError("the server did not start")


async def run_load(base: str, n: int, accounts: int) -> tuple[collections.Counter, collections.Counter, list[str], int]:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    timeout = httpx.Timeout(600)
    clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout,
                                 headers={"X-Forwarded-For": f"10.{i // 250}.{i % 250}.1"}) for i in range(n)]
    try:
        await asyncio.gather(*[c.get("/connexion") for c in clients])

        async def sign_in(i: int) -> int:
            c = clients[i]
            data = {"username": f"agent{i % accounts}", "password": PASSWORD, "_csrf_token": c.cookies["tal_csrf"]}
            return (await c.post("/connexion", data=data)).status_code

        start = time.perf_counter()
        sign_ins = await asyncio.gather(*[sign_in(i) for i in range(n)])
        sign_in_s = time.perf_counter() - start

        forms = await asyncio.gather(*[c.get("/journal/nouvelle") for c in clients])
        run_id = secrets.token_hex(4)
        titles = [f"Essai de charge {run_id} n° {i}" for i in range(n)]

        async def post(i: int) -> int:
            fields = dict(HIDDEN.findall(forms[i].text))
            fields.update({
                "title": titles[i], "happened_on": "2026-03-20",
                "what_happened": "Deux relances envoyées aux mêmes familles.",
                "what_we_expected": "Une seule relance par facture.",
                "contributing_factors": "Le traitement nocturne a été relancé sans contrôle des doublons.",
                "what_we_learned": "Un traitement relancé doit vérifier ce qu'il a déjà envoyé.",
                "what_we_change": "Un contrôle de doublons avant chaque envoi.",
                "services": "Numérique", "action": "publish", "keep_wording": "on",
            })
            return (await clients[i].post("/journal/nouvelle", data=fields)).status_code

        ok_sessions = [i for i, s in enumerate(sign_ins) if s == 303]
        start = time.perf_counter()
        posts = await asyncio.gather(*[post(i) for i in ok_sessions])
        post_s = time.perf_counter() - start
        posted = [titles[i] for i, s in zip(ok_sessions, posts) if s == 303]
        print(f"  sign-ins: {n} in {sign_in_s:.1f} s; journal posts: {len(ok_sessions)} in {post_s:.1f} s")
        return collections.Counter(sign_ins), collections.Counter(posts), posted, run_id
    finally:
        await asyncio.gather(*[c.aclose() for c in clients])


def bench(engine: str, pg_url: str | None, n: int, accounts: int, iterations: int) -> bool:
    tmp = Path(tempfile.mkdtemp(prefix="tal-load-"))
    db_name = f"tal_load_{os.getpid()}"
    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'load.sqlite'}"
    else:
        url = asyncio.run(create_database(pg_url, db_name))
    env = {**os.environ, "TAL_DATABASE_URL": url, "TAL_DATA_DIR": str(tmp), "TAL_SECRET_KEY": secrets.token_urlsafe(48),
           "FORWARDED_ALLOW_IPS": "127.0.0.1", "PYTHONPATH": str(ROOT)}
    port = free_port()
    server = None
    try:
        prepare(env, accounts, iterations)
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "tal.app:serve_app", "--workers", "2", "--host", "127.0.0.1",
             "--port", str(port), "--no-proxy-headers", "--log-level", "warning", "--backlog", "4096",
             "--timeout-keep-alive", "120"],
            env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        asyncio.run(wait_until_up(base))
        sign_ins, posts, posted, run_id = asyncio.run(run_load(base, n, accounts))
        audited = count_rows(env, "SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'account.sign_in'")
        stored = count_rows(env, f"SELECT COUNT(*) AS n FROM journal_entry WHERE title LIKE 'Essai de charge {run_id} %'")
        distinct = count_rows(
            env, f"SELECT COUNT(DISTINCT title) AS n FROM journal_entry WHERE title LIKE 'Essai de charge {run_id} %'")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        if engine != "sqlite":
            asyncio.run(create_database(pg_url, db_name, drop=True))
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"  sign-in statuses: {dict(sorted(sign_ins.items()))}")
    print(f"  journal post statuses: {dict(sorted(posts.items()))}")
    print(f"  sign-ins in the audit log: {audited} (303 answers: {sign_ins[303]})")
    print(f"  journal entries stored: {stored}, distinct titles: {distinct} (303 answers: {posts[303]})")
    checks = {
        "no 500 on sign-in": sign_ins[500] == 0,
        "no 500 on journal posts": posts[500] == 0,
        "every sign-in succeeded and is audited once": sign_ins[303] == n and audited == n,
        "every journal post answered 303 is stored once": stored == distinct == posts[303] == len(posted),
    }
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    return all(checks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("TAL_TEST_DATABASE_URL"),
                        help="a PostgreSQL database whose server may create the benchmark's database")
    parser.add_argument("-n", type=int, default=200, help="concurrent sign-ins, then concurrent journal posts")
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--hash-iterations", type=int, default=600_000,
                        help="PBKDF2 rounds of the accounts' passwords (600,000 in production)")
    args = parser.parse_args()
    if not 1 <= args.n <= 1000 or not 1 <= args.accounts <= args.n:
        parser.error("-n between 1 and 1000, --accounts between 1 and n")
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    ok = True
    for engine in engines:
        if engine == "postgresql" and not args.pg_url:
            parser.error("--pg-url (or TAL_TEST_DATABASE_URL) is needed for PostgreSQL")
        print(f"{engine}, 2 workers, {args.n} concurrent clients:")
        ok = bench(engine, args.pg_url, args.n, args.accounts, args.hash_iterations) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
