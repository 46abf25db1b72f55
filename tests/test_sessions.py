"""Sessions end on sign-out, password change, deactivation, idleness and age, in
every process; sign-in limits that cannot lock the real user out; strong passwords."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from conftest import PASSWORD, Client, text_of
from tal import db
from tal.accounts import passwords, sessions, services, signin
from tal.accounts.tables import Account, LoginThrottle
from tal.audit.tables import AuditEntry
from tal.core.errors import DomainError
from tal.settings import reset_settings


async def _browser(cookies: dict | None = None, address: str = "127.0.0.9") -> httpx.AsyncClient:
    """Another browser, on another application instance (another process)."""
    from tal.app import create_app

    transport = httpx.ASGITransport(app=create_app(migrate=False), client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies or {})


async def _signed_in(http: httpx.AsyncClient) -> bool:
    return "Se déconnecter" in (await http.get("/")).text


async def test_signing_out_ends_a_copied_cookie_in_another_process(client, accounts):
    await client.login("agent")
    copied = dict(client.http.cookies)
    async with await _browser(copied) as thief:
        assert await _signed_in(thief)
        await client.post("/deconnexion")
        assert not await _signed_in(thief)
    assert not await _signed_in(client.http)


async def test_signing_out_ends_every_session_of_the_account(client, other_client, accounts):
    await client.login("agent")
    await other_client.login("agent")
    await client.post("/deconnexion")
    assert not await _signed_in(other_client.http)


@pytest.mark.parametrize("change", ["password", "deactivate"])
async def test_a_password_change_or_a_deactivation_ends_every_session(client, accounts, change):
    await client.login("agent")
    async with await _browser(dict(client.http.cookies)) as other:
        assert await _signed_in(other)
        async with db.transaction():
            if change == "password":
                await services.set_password("agent", "un-tout-nouveau-secret", by=None, address=None)
            else:
                await services.deactivate("agent", by=None, address=None)
        assert not await _signed_in(other)
    assert not await _signed_in(client.http)
    if change == "password":
        await client.login("agent", "un-tout-nouveau-secret")
    else:
        response = await client.post("/connexion", {"username": "agent", "password": PASSWORD})
        assert response.status_code == 400


async def test_an_idle_session_ends_and_a_used_one_ends_after_its_absolute_age(client, accounts, monkeypatch):
    start = sessions.clock()
    await client.login("agent")
    # 50 minutes idle (< 60): still signed in, and the request counts as activity.
    monkeypatch.setattr(sessions, "clock", lambda: start + 50 * 60)
    assert await _signed_in(client.http)
    # 50 more minutes: 100 since sign-in, 50 since the last request.
    monkeypatch.setattr(sessions, "clock", lambda: start + 100 * 60)
    assert await _signed_in(client.http)
    # 61 minutes without a request: over.
    monkeypatch.setattr(sessions, "clock", lambda: start + 161 * 60)
    assert not await _signed_in(client.http)

    await client.login("agent")
    start = sessions.clock()
    for minutes in range(30, 8 * 60, 30):  # active every 30 minutes for 8 hours
        monkeypatch.setattr(sessions, "clock", lambda m=minutes: start + m * 60)
        assert await _signed_in(client.http), minutes
    monkeypatch.setattr(sessions, "clock", lambda: start + 8 * 3600 + 1)
    assert not await _signed_in(client.http)


async def test_session_timeouts_come_from_settings(client, accounts, monkeypatch):
    monkeypatch.setenv("TAL_SESSION_IDLE_MINUTES", "5")
    reset_settings()
    try:
        start = sessions.clock()
        await client.login("agent")
        monkeypatch.setattr(sessions, "clock", lambda: start + 6 * 60)
        assert not await _signed_in(client.http)
    finally:
        monkeypatch.delenv("TAL_SESSION_IDLE_MINUTES")
        reset_settings()


# ---------------------------------------------------------------- sign-in limits


async def _attempt(http: httpx.AsyncClient, username: str, password: str) -> int:
    client = Client(http)
    return (await client.post("/connexion", {"username": username, "password": password})).status_code


async def test_guessing_from_one_address_does_not_lock_the_real_user_out(client, other_client, accounts):
    for _ in range(signin.FREE_FAILURES):
        assert await _attempt(client.http, "admin", "pas-le-bon-mot") == 400
    # The guesser's address is slowed down, even with the right password...
    assert await _attempt(client.http, "admin", PASSWORD) == 429
    assert await _attempt(client.http, "admin", "encore-un-essai") == 429
    # ...the admin, from their own address, signs in.
    await other_client.login("admin")
    lockouts = await AuditEntry.select().where(AuditEntry.action == "account.lockout")
    assert [(r["target"], r["address"]) for r in lockouts] == [("admin", "127.0.0.1")]


async def test_the_delay_grows_with_each_failure_after_a_lock(client, accounts):
    for _ in range(signin.FREE_FAILURES):
        await _attempt(client.http, "agent", "pas-le-bon-mot")
    delays = []
    for _ in range(3):
        # Time passes: the lock is over, one more wrong guess locks for twice as long.
        before = dt.datetime.now(dt.timezone.utc)
        await LoginThrottle.update({LoginThrottle.locked_until: before - dt.timedelta(seconds=1)}).where(
            LoginThrottle.key == "pair:agent|127.0.0.1")
        assert await _attempt(client.http, "agent", "pas-le-bon-mot") == 400
        row = await LoginThrottle.select().where(LoginThrottle.key == "pair:agent|127.0.0.1").first()
        delays.append(round((row["locked_until"] - before).total_seconds()))
    assert delays == [60, 120, 240]
    # After the lock, the right password works and starts the pair afresh.
    await LoginThrottle.update({LoginThrottle.locked_until: None}).where(LoginThrottle.key == "pair:agent|127.0.0.1")
    assert await _attempt(client.http, "agent", PASSWORD) == 303
    assert not await LoginThrottle.exists().where(LoginThrottle.key == "pair:agent|127.0.0.1")


async def test_concurrent_wrong_passwords_are_counted_exactly(client, accounts):
    statuses = await asyncio.gather(*[_attempt(client.http, "comite", f"faux-{i}") for i in range(40)])
    assert sorted(statuses).count(400) == signin.FREE_FAILURES
    assert statuses.count(429) == 40 - signin.FREE_FAILURES
    failures = await AuditEntry.count().where(AuditEntry.action == "account.sign_in_failed")
    assert failures == signin.FREE_FAILURES


async def test_an_address_is_limited_whatever_the_account(client, other_client, accounts):
    users = ["agent", "numerique", "voirie", "manager"]
    for i in range(signin.MAX_FAILURES_PER_ADDRESS):
        assert await _attempt(client.http, users[i % 4], "pas-le-bon-mot") == 400
    assert await _attempt(client.http, "comite", PASSWORD) == 429
    await other_client.login("agent")


async def test_successful_sign_ins_do_not_count_against_an_address(client, accounts):
    for _ in range(signin.MAX_FAILURES_PER_ADDRESS + 5):
        assert await _attempt(client.http, "agent", PASSWORD) == 303


async def test_concurrent_sign_ins_all_succeed(database, accounts):
    from tal.app import create_app

    app = create_app(migrate=False)

    async def one(i: int) -> int:
        transport = httpx.ASGITransport(app=app, client=(f"10.0.0.{i + 1}", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await _attempt(http, ["agent", "manager", "comite", "admin"][i % 4], PASSWORD)

    statuses = await asyncio.gather(*[one(i) for i in range(60)])
    assert statuses == [303] * 60
    assert await AuditEntry.count().where(AuditEntry.action == "account.sign_in") == 60


async def test_sign_in_and_out_are_in_the_audit_log_with_account_and_address(client, accounts):
    await _attempt(client.http, "agent", "pas-le-bon-mot")
    await client.login("agent")
    await client.post("/deconnexion")
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    agent = accounts["agent"].id
    assert [(r["action"], r["account_id"], r["address"], r["target"]) for r in rows if r["action"] != "account.create"] == [
        ("account.sign_in_failed", None, "127.0.0.1", "agent"),
        ("account.sign_in", agent, "127.0.0.1", "agent"),
        ("account.sign_out", agent, "127.0.0.1", "agent"),
    ]


# ---------------------------------------------------------------- forwarded addresses


async def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(client, accounts, monkeypatch):
    spoofed = {"X-Forwarded-For": "203.0.113.7"}
    await client.post("/connexion", {"username": "agent", "password": "faux-mot"}, headers=spoofed)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
    reset_settings()
    try:
        await client.post("/connexion", {"username": "agent", "password": "faux-mot"}, headers=spoofed)
    finally:
        monkeypatch.delenv("FORWARDED_ALLOW_IPS")
        reset_settings()
    rows = await AuditEntry.select(AuditEntry.address).where(AuditEntry.action == "account.sign_in_failed").order_by(AuditEntry.id)
    assert [r["address"] for r in rows] == ["127.0.0.1", "203.0.113.7"]


# ---------------------------------------------------------------- passwords


def _common_long_password() -> str:
    return next(p for p in sorted(passwords.common_passwords()) if len(p) >= 12)


@pytest.mark.parametrize("password, reason", [
    ("onze-lettre", "au moins 12"),
    ("aaaaaaaaaaaaaaaa", "répété"),
    ("marie.dupont", "nom d'utilisateur"),
    ("MARIE.DUPONT", "nom d'utilisateur"),
    ("mot-de-passe\x00-avec-nul", "nul"),
    (None, "plus courants"),
])
async def test_weak_passwords_are_refused(database, password, reason):
    password = password if password is not None else _common_long_password()
    with pytest.raises(DomainError) as caught:
        async with db.transaction():
            await services.create_account("marie.dupont", password, role="agent", service="Numérique")
    assert caught.value.field == "password" and reason in caught.value.message
    assert await Account.count() == 0


def test_the_shipped_list_has_the_10000_most_common_passwords():
    common = passwords.common_passwords()
    assert len(common) == 10_000 and {"123456", "password", "azerty"} <= common


async def test_requests_of_one_session_arriving_together_read_the_account_once(database, accounts, monkeypatch):
    from tal.accounts import actorcache

    account = await Account.select(Account.id, Account.session_generation).where(Account.username == "agent").first()
    reads = 0
    select = Account.select

    def counting(*columns):
        nonlocal reads
        reads += 1
        return select(*columns)

    monkeypatch.setattr(sessions.Account, "select", counting)
    actorcache.forget()
    cookies = [sessions.new_session(account["id"], account["session_generation"]) for _ in range(16)]
    actors = await asyncio.gather(*(sessions.session_actor(cookie) for cookie in cookies))
    assert reads == 1
    assert {a.username for a in actors} == {"agent"}
    # A session of a past generation is still refused, even while the actor is kept.
    stale = sessions.new_session(account["id"], account["session_generation"] - 1)
    assert await sessions.session_actor(stale) is None
