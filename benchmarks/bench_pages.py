"""Benchmark at the size of a real collectivité: load time of N experiment files, then
throughput and p99 latency of the pages a user reads, against the same server's `/sante`.

Run from the repository root (SQLite, one `tal serve` process on the loopback):

    python benchmarks/bench_pages.py                       # 10,000 experiments, 50,000 entries
    python benchmarks/bench_pages.py --experiments 1000 --duration 5
    python benchmarks/bench_pages.py --engine postgresql --database-url URL --workers 1,4

It writes N `tal-experiment/1` files (made from the samples of `experiments/`, each
with `--entries` journal entries, services, objectives and tags spread over the
collectivité), times `tal load` of the whole folder (one transaction, all or
nothing; with `--load-only`, a tenth of the files into another database first, to
show the time per file at two sizes), creates an agent, starts `tal serve`, signs in, and drives each page for
`--duration` seconds with `--connections` concurrent clients: with wrk when it is
installed, otherwise with the Python load generator below (httpx; it shares the
machine's cores with the server, so its figures are a floor). It prints, per page, the
time of its first request, alone (computed from the database: what the first reader
after a write waits), then under load the requests per second, the ratio to `/sante`
for a visitor and the p99 latency. With several worker counts (PostgreSQL), it measures
each in turn and prints each page's scaling.
Nothing here is asserted: speed is shown, not tested.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from urllib.parse import urlencode

import httpx
import tomli_w

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "phrase-de-passe-du-banc-d-essai"
SERVICES = [f"Service {name}" for name in (
    "Population et citoyenneté", "Numérique", "Voirie et propreté", "Affaires scolaires", "Action sociale",
    "Urbanisme", "Culture", "Sports", "Finances", "Ressources humaines", "Communication", "Environnement",
    "Petite enfance", "Jeunesse", "Relation usagers", "Eau et assainissement", "Mobilités", "Logement",
    "Santé publique", "Sécurité")]
OBJECTIVES = ["Simplifier les démarches", "Réduire les délais", "Maîtriser les dépenses", "Sobriété énergétique",
              "Accueil des usagers"]
TAGS = ["prestataire", "outil", "supervision", "formation", "communication", "données", "planning", "accueil",
        "achat", "météo"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_files(folder: Path, count: int, entries: int) -> None:
    """`count` files made from the samples, each with its own slug, services and journal."""
    samples = [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "experiments").glob("*.toml"))]
    for i in range(count):
        doc = dict(samples[i % len(samples)])
        head = dict(doc["experiment"])
        head["slug"] = f"{head['slug']}-{i}"
        head["title"] = f"{head['title']} (n° {i})"
        head["service"] = SERVICES[i % len(SERVICES)]
        head["partner_services"] = [SERVICES[(i + 7) % len(SERVICES)]]
        head["objectives"] = [OBJECTIVES[i % len(OBJECTIVES)]]
        head.pop("intervention", None)
        doc["experiment"] = head
        if "decision" in doc:
            doc["decision"] = {**doc["decision"], "target_services": [SERVICES[(i + 3) % len(SERVICES)]]}
        doc.pop("decisions", None)
        doc["journal"] = [{
            "title": f"Entrée {k + 1} de l'expérimentation {i}",
            "happened_on": f"2026-{1 + k % 12:02d}-{1 + i % 28:02d}",
            "what_happened": f"Les rappels de l'état civil sont partis en retard ({i}, {k}).",
            "what_we_expected": "Que les envois partent à l'heure.",
            "what_we_learned": "Une supervision quotidienne révèle les anomalies.",
            "published": True,
            "tags": [TAGS[(i + k) % len(TAGS)]],
        } for k in range(entries)]
        (folder / f"{head['slug']}.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")


def tal(env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "tal.cli", *args], input=stdin, capture_output=True, text=True,
                            env=env, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"tal {' '.join(args)}: {result.stderr.strip()}")
    return result


def wait_for(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/sante", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not start")


def sign_in(base: str) -> str:
    """The Cookie header of a signed-in agent."""
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        client.get("/connexion")
        response = client.post("/connexion", data={"username": "agent", "password": PASSWORD,
                                                   "_csrf_token": client.cookies["tal_csrf"]})
        if response.status_code != 303:
            raise SystemExit(f"sign-in failed: {response.status_code}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def drive_wrk(url: str, cookie: str | None, duration: int, connections: int) -> tuple[float, float]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    if errors := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        print(f"  ! {errors.group(1)} error responses on {url}", file=sys.stderr)
    if "Requests/sec" not in out:
        raise SystemExit(f"wrk failed on {url}: {out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def _drive_python(url: str, cookie: str | None, duration: int, connections: int) -> tuple[float, float]:
    latencies: list[float] = []
    errors = 0
    headers = {"Cookie": cookie} if cookie else {}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
        end = time.monotonic() + duration

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < end:
                start = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code >= 400

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.monotonic() - started
    if errors:
        print(f"  ! {errors} error responses on {url}", file=sys.stderr)
    latencies.sort()
    return len(latencies) / elapsed, latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]


def first_request(client: httpx.Client, url: str, cookie: str | None) -> float:
    """The page's first request, alone, in milliseconds: its computation from the database
    (what a reader meets first after a write). The load that follows measures the steady
    state, and does not count this first computation against the p99."""
    started = time.perf_counter()
    response = client.get(url, headers={"Cookie": cookie} if cookie else {})
    client.cookies.clear()  # a visitor stays a visitor
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    return (time.perf_counter() - started) * 1000


def drive(url: str, cookie: str | None, duration: int, connections: int) -> tuple[float, float]:
    if shutil.which("wrk"):
        return drive_wrk(url, cookie, duration, connections)
    return asyncio.run(_drive_python(url, cookie, duration, connections))


async def reset_schema(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


def build(env: dict, folder: Path, args: argparse.Namespace) -> None:
    """Writes the files, times `tal load` of the folder and creates the agent."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    write_files(folder, args.experiments, args.entries)
    timed_load(env, folder, args.experiments, args.entries)
    tal(env, "user", "create", "agent", "--role", "agent", "--service", SERVICES[0], "--password-stdin",
        stdin=PASSWORD + "\n")


def time_load(tmp: Path, count: int, entries: int, smaller: tuple[int, float] | None = None) -> tuple[dict, float]:
    """Write `count` files under `tmp` and time `tal load` of them into a new SQLite database
    there (see `timed_load`). Returns the environment and the seconds."""
    folder = tmp / "files"
    folder.mkdir(parents=True)
    env = {**os.environ, "TAL_DATABASE_URL": f"sqlite:///{tmp}/tal.sqlite", "TAL_DATA_DIR": str(tmp),
           "PYTHONPATH": str(ROOT)}
    write_files(folder, count, entries)
    return env, timed_load(env, folder, count, entries, smaller)


def timed_load(env: dict, folder: Path, count: int, entries: int, smaller: tuple[int, float] | None = None) -> float:
    """Time `tal load` of `folder`; print the time, files/s, the time per file and the load
    average; with `smaller` (the count and seconds of a smaller load), also the time of each
    file beyond it: the same at any size when the load is linear in the number of files (the
    time per file of a small load also carries the fixed cost of start-up and migrations)."""
    started = time.monotonic()
    out = tal(env, "load", str(folder)).stdout.strip()
    seconds = time.monotonic() - started
    per_file = seconds / count * 1000
    ratio = ""
    if smaller:
        beyond = (seconds - smaller[1]) / (count - smaller[0]) * 1000
        ratio = f", {beyond:.1f} ms per file beyond the first {smaller[0]}"
    print(f"tal load: {count} files, {count * entries} journal entries in {seconds:.1f} s ({count / seconds:.0f} "
          f"files/s, {per_file:.1f} ms per file{ratio}; load average {os.getloadavg()[0]:.1f}): {out}", flush=True)
    return seconds


def measure(env: dict, args: argparse.Namespace, workers: int) -> list[tuple[str, float, float, float]]:
    """Start the server with `workers` processes, sign in, and measure each page: its
    first request alone, then its throughput and p99 under load. With several workers,
    each process computes a page once for itself: a first burst of load, not counted,
    gives every process its first computation before the measure."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if workers > 1:  # uvicorn's workers, each with its own pool (what `tal serve` runs, times N)
        command = ["-m", "uvicorn", "--factory", "tal.app:serve_app", "--port", str(port), "--workers",
                   str(workers), "--log-level", "warning", "--no-proxy-headers"]
    else:
        command = ["-m", "tal.cli", "serve", "--port", str(port)]
    server = subprocess.Popen([sys.executable, *command], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    measured = []
    try:
        wait_for(base)
        cookie = sign_in(base)
        samples = sorted(p.stem for p in (ROOT / "experiments").glob("*.toml"))
        middle = args.experiments // 2 - (args.experiments // 2) % len(samples)
        slug = f"rappel-sms-etat-civil-{middle + samples.index('rappel-sms-etat-civil')}"
        entry = httpx.get(f"{base}/api/v1/journal", headers={"Cookie": cookie}).json()["items"][0]["id"]
        pages = [
            ("/sante (visitor)", "/sante", None),
            ("/sante (agent)", "/sante", cookie),
            ("home", "/", cookie),
            ("register", "/experimentations", cookie),
            ("register, filtered", f"/experimentations?{urlencode({'service': SERVICES[3]})}", cookie),
            ("register, searched", "/experimentations?q=rappels", cookie),
            ("register, page 200", "/experimentations?page=200", cookie),
            ("experiment page", f"/experimentations/{slug}", cookie),
            ("journal", "/journal", cookie),
            ("journal entry", f"/journal/{entry}", cookie),
            ("API experiments", "/api/v1/experiments", cookie),
            ("API journal", "/api/v1/journal", cookie),
            ("review", "/revue", cookie),
            ("API review", "/api/v1/review", cookie),
            ("Atom feed (public)", "/journal/public.atom", None),
        ]
        generator = "wrk" if shutil.which("wrk") else "Python (httpx) load generator"
        print(f"{args.engine}, {workers} server process{'es' if workers > 1 else ''}, {args.connections} connections, "
              f"{args.duration} s per page, {generator}")
        print(f"{'page':<22} {'first ms':>9} {'req/s':>9} {'/sante':>8} {'p99 ms':>8}")
        floor = None
        client = httpx.Client(timeout=60)  # one connection, opened before the first page
        client.get(f"{base}/sante")
        for name, path, with_cookie in pages:
            first = first_request(client, base + path, with_cookie)
            if workers > 1:
                drive(base + path, with_cookie, 2, args.connections)
            rate, p99 = drive(base + path, with_cookie, args.duration, args.connections)
            floor = floor or rate
            measured.append((name, first, rate, p99))
            print(f"{name:<22} {first:>9.1f} {rate:>9.1f} {rate / floor:>7.1%} {p99:>8.1f}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=5, help="journal entries per experiment")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--load-only", action="store_true", help="time the load, do not serve")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the database in DIR and keep it; when DIR already holds one, reuse it "
                             "(no files written, no load timed)")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/tal_bench",
                        help="with --engine postgresql: a database of the benchmark's own (emptied: its schema public is "
                             "dropped and created again)")
    parser.add_argument("--workers", type=lambda text: [int(n) for n in text.split(",")], default=[1],
                        help="server processes (uvicorn workers); several counts, such as 1,4, measure each in "
                             "turn and print the scaling of each page")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tal-bench-") as scratch:
        if args.load_only:  # SQLite; linearity: a tenth of the files into a database of its own, then all of them
            small = None
            if args.experiments >= 10:
                small = (args.experiments // 10,
                         time_load(Path(scratch) / "tenth", args.experiments // 10, args.entries)[1])
            time_load(Path(scratch) / "all", args.experiments, args.entries, small)
            return 0
        tmp = args.keep.resolve() if args.keep else Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        url = args.database_url if args.engine == "postgresql" else f"sqlite:///{tmp / 'tal.sqlite'}"
        env = {**os.environ, "TAL_DATABASE_URL": url, "TAL_DATA_DIR": str(tmp), "PYTHONPATH": str(ROOT)}
        if args.keep and (tmp / "built").exists():
            print(f"reusing the database in {tmp}")
        else:
            if args.engine == "postgresql":
                asyncio.run(reset_schema(url))
            build(env, tmp / "files", args)
            (tmp / "built").write_text(f"{args.experiments} {args.entries}\n", encoding="utf-8")
        results = {workers: measure(env, args, workers) for workers in args.workers}
        if len(results) > 1:
            first, *others = args.workers
            print(f"\nScaling with the workers (req/s, and the ratio to {first} worker{'s' if first > 1 else ''}):")
            print(f"{'page':<22} " + " ".join(f"{f'{n} w. req/s':>13}" for n in args.workers)
                  + " " + " ".join(f"{f'x {n}/{first}':>9}" for n in others))
            for row, (name, *_rest) in enumerate(results[first]):
                rates = [results[n][row][2] for n in args.workers]
                print(f"{name:<22} " + " ".join(f"{rate:>13.1f}" for rate in rates) + " "
                      + " ".join(f"{rate / rates[0]:>9.2f}" for rate in rates[1:]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
