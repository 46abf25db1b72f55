"""The audit log: events recorded with their transaction, pruned after their retention."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from tal import db
from tal.audit import services as audit
from tal.audit.tables import AuditEntry


async def _entries() -> list[dict]:
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    for row in rows:
        if isinstance(row["detail"], str):
            row["detail"] = json.loads(row["detail"])
    return rows


async def test_record_keeps_time_account_address_target_and_detail(database):
    before = dt.datetime.now(dt.timezone.utc)
    async with db.transaction():
        await audit.record("experiment.register", account_id=7, address="10.0.0.5", target="rappel-sms",
                           detail={"version": 3, "motif": "« été »"})
    await audit.record("account.sign_in_failed", account_id=None, address=None)
    first, second = await _entries()
    assert (first["action"], first["account_id"], first["address"], first["target"]) == (
        "experiment.register", 7, "10.0.0.5", "rappel-sms")
    assert first["detail"] == {"version": 3, "motif": "« été »"}
    assert before - dt.timedelta(seconds=1) <= first["at"] <= dt.datetime.now(dt.timezone.utc)
    assert (second["account_id"], second["address"], second["target"], second["detail"]) == (None, None, "", {})


async def test_an_event_is_kept_only_if_its_transaction_commits(database):
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await audit.record("decision.record", account_id=1, address="127.0.0.1", target="x")
            raise RuntimeError("the change failed")
    assert await AuditEntry.count() == 0


async def test_long_values_are_cut_to_their_column(database):
    await audit.record("a" * 100, account_id=1, address="b" * 100, target="c" * 500)
    (row,) = await _entries()
    assert (len(row["action"]), len(row["address"]), len(row["target"])) == (60, 64, 200)


async def test_prune_deletes_only_entries_older_than_the_retention(database):
    now = dt.datetime.now(dt.timezone.utc)
    for days in (400, 366, 364, 0):
        await AuditEntry.insert(AuditEntry(at=now - dt.timedelta(days=days), action=f"old.{days}", detail={}))
    assert await audit.prune(365, now=now) == 2
    assert [r["action"] for r in await _entries()] == ["old.364", "old.0"]
    assert await audit.prune(365, now=now) == 0


# ---------------------------------------------------------------- the admin page and its export

import csv  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from conftest import ROOT, text_of  # noqa: E402


async def _events(accounts, n: int = 0) -> None:
    admin, agent = accounts["admin"].id, accounts["agent"].id
    await audit.record("experiment.register", account_id=agent, address="10.1.1.1", target="=HYPERLINK(\"x\")",
                       detail={"version": 2})
    await audit.record("account.role", account_id=admin, address=None, target="agent",
                       detail={"before": "agent", "after": "manager"})
    for i in range(n):
        await audit.record("journal.publish", account_id=agent, address="10.1.1.2", target=f"entree-{i}")


async def test_only_admins_read_the_audit_log(client, accounts):
    assert (await client.get("/admin/journal-audit")).status_code == 403
    assert (await client.get("/admin/journal-audit.csv")).status_code == 403
    for username in ("agent", "manager", "comite"):
        await client.login(username)
        assert (await client.get("/admin/journal-audit")).status_code == 403, username
        assert (await client.get("/admin/journal-audit.csv")).status_code == 403, username
    await client.login("admin")
    assert (await client.get("/admin/journal-audit")).status_code == 200


async def test_the_page_lists_filters_and_paginates(client, accounts):
    await _events(accounts, n=60)
    await client.login("admin")
    page = text_of((await client.get("/admin/journal-audit")).text)
    # 6 accounts created by the fixture, 62 events, the admin's sign-in.
    assert "69 événements." in page and "Page 1 sur 2" in page and "entree-59" in page and "entree-0 " not in page
    page = text_of((await client.get("/admin/journal-audit?page=2")).text)
    assert "entree-0 " in page and "entree-59" not in page
    page = text_of((await client.get("/admin/journal-audit?action=account.role")).text)
    assert "1 événement." in page and "Changement de rôle" in page and "before = agent" in page
    page = text_of((await client.get("/admin/journal-audit?account=agent&address=10.1.1.1")).text)
    assert "1 événement." in page and "HYPERLINK" in page
    page = text_of((await client.get("/admin/journal-audit?account=personne")).text)
    assert "0 événement." in page
    page = text_of((await client.get("/admin/journal-audit?until=2000-01-01")).text)
    assert "0 événement." in page
    response = await client.get("/admin/journal-audit?since=hier")
    assert response.status_code == 400 and "since" in text_of(response.text)


async def test_the_csv_export_has_every_column_and_no_formula(client, accounts):
    await _events(accounts)
    await client.login("admin")
    response = await client.get("/admin/journal-audit.csv?account=agent")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["at", "action", "account", "account_id", "address", "target", "detail"]
    (row,) = [r for r in rows if r["action"] == "experiment.register"]
    assert row["account"] == "agent" and row["address"] == "10.1.1.1" and row["detail"] == '{"version": 2}'
    assert row["target"].startswith("'=HYPERLINK")
    assert dt.datetime.fromisoformat(row["at"]).tzinfo is not None


async def test_entries_cannot_be_changed_or_deleted_through_the_application(client, accounts):
    await _events(accounts)
    await client.login("admin")
    count = await AuditEntry.count()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for url in ("/admin/journal-audit", "/admin/journal-audit.csv"):
            response = await client.http.request(method, url)
            assert response.status_code in (403, 405), (method, url)
    assert await AuditEntry.count() == count
    from tal.app import create_app

    paths = {route.path for route in create_app(migrate=False).routes}
    assert {p for p in paths if "audit" in p} == {"/admin/journal-audit", "/admin/journal-audit.csv"}


async def test_start_up_prunes_entries_older_than_tal_audit_days(database, monkeypatch):
    from tal.app import create_app
    from tal.settings import reset_settings

    now = dt.datetime.now(dt.timezone.utc)
    for days in (40, 20, 0):
        await AuditEntry.insert(AuditEntry(at=now - dt.timedelta(days=days), action=f"old.{days}", detail={}))
    monkeypatch.setenv("TAL_AUDIT_DAYS", "30")
    reset_settings()
    try:
        app = create_app(migrate=False)
        for hook in app.on_startup:
            await hook()
        for hook in app.on_shutdown:
            await hook()
    finally:
        monkeypatch.delenv("TAL_AUDIT_DAYS")
        reset_settings()
    assert [r["action"] for r in await _entries()] == ["old.20", "old.0"]


async def test_retention_runs_on_its_schedule(database):
    from tal.audit.retention import AuditRetention

    retention = AuditRetention(365, every_s=0.05)
    await retention.start()
    try:
        await AuditEntry.insert(AuditEntry(at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400),
                                           action="old", detail={}))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await AuditEntry.count() == 0:
                break
        assert await AuditEntry.count() == 0
    finally:
        await retention.stop()


def _tal(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tal.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


async def test_account_changes_on_the_command_line_are_audited(database, monkeypatch):
    monkeypatch.setenv("TAL_DATABASE_URL", _cli_url(database))
    created = _tal("user", "create", "lucie.martin", "--role", "agent", "--service", "Numérique",
                   "--create-service", "--password-stdin", stdin="cheval-agrafe-batterie\n")
    assert created.returncode == 0, created.stderr
    assert _tal("user", "role", "lucie.martin", "manager").returncode == 0
    assert _tal("user", "password", "lucie.martin", "--password-stdin", stdin="nouvelle-phrase-secrete\n").returncode == 0
    assert _tal("user", "deactivate", "lucie.martin").returncode == 0
    listed = _tal("user", "list")
    assert "lucie.martin\tmanager\tNumérique\tinactif" in listed.stdout
    nul = _tal("user", "create", "paul", "--role", "agent", "--service", "X", "--create-service", "--password-stdin",
               stdin="un-mot-de-passe\x00-long\n")
    assert nul.returncode == 1 and "Traceback" not in nul.stderr and "nul" in nul.stderr
    missing = _tal("user", "role", "personne", "agent")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    rows = await _entries()
    assert [(r["action"], r["target"]) for r in rows] == [
        ("service.create", "Numérique"), ("account.create", "lucie.martin"), ("account.role", "lucie.martin"),
        ("account.password", "lucie.martin"), ("account.deactivate", "lucie.martin")]
    assert rows[2]["detail"] == {"account": rows[1]["detail"]["account"], "before": "agent", "after": "manager"}


def _cli_url(backend: str) -> str:
    from conftest import PG_URL, TMP

    return f"sqlite:///{TMP / 'tests.sqlite'}" if backend == "sqlite" else PG_URL


async def test_two_user_creations_at_once_with_a_new_service_both_succeed(database, monkeypatch):
    from tal.accounts.tables import Account, Service

    monkeypatch.setenv("TAL_DATABASE_URL", _cli_url(database))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "tal.cli", "user", "create", f"agent{i}", "--role", "agent",
                               "--service", "Service tout neuf", "--create-service", "--password-stdin"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for i in range(2)]
    results = [p.communicate("cheval-agrafe-batterie\n", timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert await Service.count() == 1 and await Account.count() == 2


@pytest.mark.parametrize("name, value", [("TAL_AUDIT_DAYS", "0"), ("TAL_AUDIT_DAYS", "un an"),
                                         ("TAL_SESSION_IDLE_MINUTES", "-5"), ("FORWARDED_ALLOW_IPS", "proxy.local")])
def test_bad_settings_are_refused_with_the_variable_named(monkeypatch, name, value):
    from tal.settings import SettingsError, load_settings

    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert name in str(caught.value)
