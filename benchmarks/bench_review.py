"""The management review with 10,000 experiments: the page's p99 time, against a baseline.

Target (issue 9): with 10,000 experiments the review page (« Revue des apprentissages »,
last 12 months, whole collectivité) answers in under 100 ms at p99. The baseline,
measured in the same run on the same database, is what the figures would cost without
the review columns: reading every experiment's document and counting in Python. Prints
the page's p50 / p99, the baseline's time and the ratio.

    python benchmarks/bench_review.py [EXPERIMENTS] [REQUESTS]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="tal-bench-review-"))
os.environ["TAL_DATA_DIR"] = str(TMP)
os.environ["TAL_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite'}"
os.environ["TAL_SECRET_KEY"] = secrets.token_urlsafe(48)
os.environ["PICCOLO_CONF"] = "tal.piccolo_conf"

TARGET_MS = 100.0
SERVICES = ["Population et citoyenneté", "Action sociale", "Affaires scolaires", "Numérique", "Urbanisme",
            "Médiathèques", "Communication", "Voirie et propreté", "Relation usagers", "Finances"]
VERDICTS = ["confirmed", "contradicted", "below_useful_effect", "no_useful_effect", "inconclusive", None]


async def fill(n: int) -> None:
    from tal import db
    from tal.accounts import passwords
    from tal.accounts.services import create_account, ensure_service
    from tal.accounts.tables import Service
    from tal.evaluation.tables import Snapshot
    from tal.experiments import fileformat
    from tal.experiments.services import _encode, days_since
    from tal.experiments.tables import Experiment, ExperimentObjective, ExperimentService, Objective
    from tal.journal.tables import JournalAction, JournalEntry

    passwords.ITERATIONS = 1_000
    await db.migrate()
    rng = random.Random(9)
    document = _encode(fileformat.read(ROOT / "experiments" / "rappel-sms-etat-civil.toml"))
    async with db.transaction():
        for name in SERVICES:
            await ensure_service(name)
        await create_account("direction", "mot-de-passe-de-bench", role="manager", service=SERVICES[0])
        ids = {r["name"]: r["id"] for r in await Service.select(Service.id, Service.name)}
        today = dt.date.today()
        objective = (await Objective.insert(Objective(title="Simplifier les démarches")))[0]["id"]
        rows, links, verdicts = [], [], []
        for i in range(n):
            owner = rng.choice(SERVICES)
            links.append((owner, rng.choice(SERVICES)))
            registered = dt.datetime.combine(today - dt.timedelta(days=rng.randint(0, 1500)), dt.time(9),
                                             dt.timezone.utc)
            status = rng.choice(["draft", "registered", "running", "concluded", "decided", "abandoned"])
            verdict_on = registered.date() + dt.timedelta(days=rng.randint(20, 200)) if status in (
                "concluded", "decided", "abandoned") else None
            decided = verdict_on + dt.timedelta(days=rng.randint(5, 90)) if status == "decided" else None
            verdicts.append(rng.choice(VERDICTS))
            rows.append(Experiment(
                slug=f"experience-{i}", title=f"Expérimentation {i}", service=ids[owner], design="randomized",
                status=status, visibility="internal", document=document, plan_hash="x" * 64,
                registered_at=None if status == "draft" else registered,
                learning_cards=rng.randint(0, 2), amendments_major=rng.randint(0, 1), amendments_minor=rng.randint(0, 2),
                first_verdict_on=verdict_on, decided_on=decided,
                decision_outcome=rng.choice(["scale", "spread", "iterate", "stop"]) if decided else None,
                verdict=verdicts[-1] or "",  # as tal/evaluation writes it with the snapshot
                days_to_first_verdict=days_since(registered, verdict_on), days_to_decision=days_since(registered, decided)))
        for start in range(0, n, 500):
            await Experiment.insert(*rows[start:start + 500])
        experiment_ids = [r["id"] for r in await Experiment.select(Experiment.id).order_by(Experiment.id)]
        for table, related in (
                (ExperimentService, [ExperimentService(experiment=e, service=ids[name], owner=rank == 0)
                                     for e, pair in zip(experiment_ids, links)
                                     for rank, name in enumerate(dict.fromkeys(pair))]),
                (ExperimentObjective, [ExperimentObjective(experiment=e, objective=objective) for e in experiment_ids])):
            for start in range(0, len(related), 500):
                await table.insert(*related[start:start + 500])
        snapshots = [Snapshot(experiment=e, inputs_hash="x", engine="{}", verdict=verdict)
                     for e, verdict in zip(experiment_ids, verdicts)]
        for start in range(0, n, 500):
            await Snapshot.insert(*snapshots[start:start + 500])
        entries = [JournalEntry(team=ids[rng.choice(SERVICES)], title="Entrée", happened_on=today, what_happened="x",
                                state="published", published_at=dt.datetime.now(dt.timezone.utc)
                                - dt.timedelta(days=rng.randint(0, 700))) for _ in range(n // 5)]
        for start in range(0, len(entries), 500):
            await JournalEntry.insert(*entries[start:start + 500])
        entry_ids = [r["id"] for r in await JournalEntry.select(JournalEntry.id)]
        actions = [JournalAction(entry=rng.choice(entry_ids), description="Action", owner_role="Chef de service",
                                 due_on=today + dt.timedelta(days=rng.randint(-200, 200))) for _ in range(n // 10)]
        await JournalAction.insert(*actions)
    await db.analyse()  # as `tal migrate` and `tal load` leave a database: with the planner's statistics


async def baseline(today: dt.date) -> dict:
    """The same status and verdict figures, reading every experiment's document."""
    from tal.evaluation.tables import Snapshot
    from tal.experiments.tables import Experiment

    start = today.replace(year=today.year - 1)
    rows = await Experiment.select(Experiment.id, Experiment.document, Experiment.status, Experiment.registered_at)
    verdicts = {r["experiment"]: r["verdict"] for r in await Snapshot.select(Snapshot.experiment, Snapshot.verdict)}
    counts: dict = {}
    for row in rows:
        doc = json.loads(row["document"])
        if row["registered_at"] and row["registered_at"].date() >= start:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        cards = sum(1 for it in doc.get("iterations", []) if it.get("learning"))
        counts["cards"] = counts.get("cards", 0) + cards
        counts[verdicts.get(row["id"])] = counts.get(verdicts.get(row["id"]), 0) + 1
    return counts


async def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    import logging

    import httpx

    from tal import db
    from tal.app import create_app
    from tal.review import queries, services

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise

    print(f"filling {n} experiments…", flush=True)
    await fill(n)
    from tal.core import rendercache

    # The page is computed on every request here: the render cache (tal/core/rendercache.py)
    # would otherwise serve every request after the first from memory. What is kept is
    # measured apart, below.
    keep = rendercache.RenderCache.put
    rendercache.RenderCache.put = lambda self, *args, **kwargs: None
    app = create_app(migrate=False)
    times, cpu = [], []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        await http.get("/connexion")
        response = await http.post("/connexion", data={"username": "direction", "password": "mot-de-passe-de-bench",
                                                        "_csrf_token": http.cookies["tal_csrf"]})
        assert response.status_code == 303, response.text
        for i in range(requests + 10):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = await http.get("/revue")
            elapsed = (time.perf_counter() - start) * 1000
            used = (time.process_time() - start_cpu) * 1000
            assert response.status_code == 200, response.text[:500]
            if i >= 10:  # warm-up
                times.append(elapsed)
                cpu.append(used)
        floor, floor_cpu = [], []
        for i in range(requests // 2 + 5):  # the lightest signed-in page, same server: what any page costs here
            start, start_cpu = time.perf_counter(), time.process_time()
            response = await http.get("/comite/suivis")
            if i >= 5:
                floor.append((time.perf_counter() - start) * 1000)
                floor_cpu.append((time.process_time() - start_cpu) * 1000)
        rendercache.RenderCache.put = keep
        kept = []
        for i in range(requests // 2 + 5):  # the same page, served from the render cache
            start = time.perf_counter()
            response = await http.get("/revue")
            assert response.status_code == 200
            if i >= 5:
                kept.append((time.perf_counter() - start) * 1000)
    times.sort()
    cpu.sort()
    floor.sort()
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
    today = dt.date.today()
    scope = services.filters(today=today).scope  # the page's default: last 12 months, whole collectivité
    sql, bases = [], []
    for i in range(requests // 2 + 5):  # the review's queries alone (figures and digest), without HTTP or template
        async with db.transaction(write=False):
            start = time.perf_counter()
            await queries.figures(scope, today, services.PAGE_ACTIONS)
            await queries.digest(scope)
            if i >= 5:
                sql.append((time.perf_counter() - start) * 1000)
    for _ in range(5):
        async with db.transaction(write=False):
            start = time.perf_counter()
            await baseline(today)
            bases.append((time.perf_counter() - start) * 1000)
    base = statistics.median(bases)
    print(f"review page computed on each request, {n} experiments, {requests} requests: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
          f"(target < {TARGET_MS:.0f} ms: {'met' if p99 < TARGET_MS else 'NOT met'})")
    kept.sort()
    print(f"the same page kept by the render cache (no write since): p50 {statistics.median(kept):.1f} ms, "
          f"p99 {kept[int(len(kept) * 0.99) - 1]:.1f} ms")
    print(f"floor (a light signed-in page, same run): p50 {statistics.median(floor):.1f} ms, "
          f"p99 {floor[int(len(floor) * 0.99) - 1]:.1f} ms")
    print(f"CPU time of this process per request (all threads): p50 {statistics.median(cpu):.1f} ms, "
          f"p99 {cpu[int(len(cpu) * 0.99) - 1]:.1f} ms (the light page: p50 {statistics.median(floor_cpu):.1f} ms); "
          f"load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs (wall times grow with other processes' load)")
    print(f"the review's SQL queries alone (figures and digest): p50 {statistics.median(sql):.1f} ms, "
          f"p99 {sorted(sql)[int(len(sql) * 0.99) - 1]:.1f} ms")
    print(f"baseline (every document read and counted in Python, median of 5): {base:.1f} ms; "
          f"ratio baseline / page p50: {base / p50:.1f}×, baseline / page p99: {base / p99:.1f}×")


if __name__ == "__main__":
    asyncio.run(main())
