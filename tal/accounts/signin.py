"""Sign-in with limits that an attacker cannot turn against the real user.

Failures are counted per (account, address) pair and per address, in one row per
key updated under a row lock (SQLite: the IMMEDIATE transaction), so concurrent
attempts are counted exactly. Each attempt is counted as a failure before the
password is checked, and given back when it succeeds.

- A pair gets FREE_FAILURES tries; each further failure locks that pair for a
  delay that doubles, from BASE_DELAY up to MAX_DELAY. Someone guessing from
  another address does not lock the real user out.
- An address gets MAX_FAILURES_PER_ADDRESS failures per WINDOW, whatever the account.

The password is hashed outside any transaction: write transactions stay short.
"""

from __future__ import annotations

import datetime as dt

from tal import db
from tal.accounts.actor import Actor
from tal.accounts.passwords import DUMMY_HASH, verify_password
from tal.accounts.services import ACTOR_COLUMNS, actor_of_row, end_sessions
from tal.accounts.tables import Account, LoginThrottle
from tal.audit.services import record
from tal.core.errors import DomainError
from tal.i18n import N_

WINDOW = dt.timedelta(minutes=15)
FREE_FAILURES = 5
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 20
USERNAME_MAX = 60


class TooManyAttempts(DomainError):
    status_code = 429


def _delay(failures: int) -> dt.timedelta | None:
    """How long a pair is locked after this many failures in a row."""
    if failures < FREE_FAILURES:
        return None
    return min(BASE_DELAY * 2 ** min(failures - FREE_FAILURES, 20), MAX_DELAY)


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"pair:{username}|{address}", f"ip:{address}"


async def _locked_rows(keys: tuple[str, ...], now: dt.datetime) -> list[dict]:
    for key in keys:
        await LoginThrottle.insert(LoginThrottle(key=key, failures=0, window_start=now)).on_conflict(
            target=LoginThrottle.key, action="DO NOTHING")
    # Always locked in key order ("ip:" before "pair:"): no deadlock between attempts.
    query = LoginThrottle.select().where(LoginThrottle.key.is_in(list(keys))).order_by(LoginThrottle.key)
    if db.current_engine().engine_type != "sqlite":
        query = query.lock_rows()
    return await query


async def _reserve(username: str, address: str, now: dt.datetime) -> None:
    """Count this attempt as a failure, or refuse it if its pair or address is locked."""
    pair, ip = _keys(username, address)
    rows = await _locked_rows((pair, ip), now)
    if any(r["locked_until"] is not None and r["locked_until"] > now for r in rows):
        raise TooManyAttempts(N_("Trop de tentatives de connexion. Réessayez dans quelques minutes."))
    for row in rows:
        fresh = row["window_start"] > now - WINDOW
        failures = row["failures"] + 1 if fresh else 1
        start = row["window_start"] if fresh else now
        if row["key"] == pair:
            delay = _delay(failures)
            until = now + delay if delay else None
        else:
            until = start + WINDOW if failures >= MAX_FAILURES_PER_ADDRESS else None
        await LoginThrottle.update(
            {LoginThrottle.failures: failures, LoginThrottle.window_start: start, LoginThrottle.locked_until: until}
        ).where(LoginThrottle.id == row["id"])
        if until is not None:
            await record("account.lockout", account_id=None, address=address, target=username,
                         detail={"scope": "pair" if row["key"] == pair else "address",
                                 "failures": failures, "until": until.isoformat()})


async def _give_back(username: str, address: str, now: dt.datetime) -> None:
    """A success: the pair starts afresh; the address gets its attempt back."""
    pair, ip = _keys(username, address)
    rows = await _locked_rows((ip,), now)  # the address first, as in _reserve
    await LoginThrottle.delete().where(LoginThrottle.key == pair)
    failures = max(rows[0]["failures"] - 1, 0)
    until = rows[0]["locked_until"] if failures >= MAX_FAILURES_PER_ADDRESS else None
    await LoginThrottle.update({LoginThrottle.failures: failures, LoginThrottle.locked_until: until}).where(
        LoginThrottle.key == ip)
    await LoginThrottle.delete().where(
        (LoginThrottle.window_start < now - 4 * WINDOW) & (LoginThrottle.locked_until.is_null()
                                                          | (LoginThrottle.locked_until < now)))


async def sign_in(username: str, password: str, address: str) -> tuple[Actor, int]:
    """The actor and its session generation for these credentials.

    Wrong credentials: DomainError on `password`; too many failures: TooManyAttempts.
    Success, failure and lock-outs are written to the audit log.
    """
    now = dt.datetime.now(dt.timezone.utc)
    username = username.strip().lower()[:USERNAME_MAX]
    async with db.transaction():
        await _reserve(username, address, now)
    row = await Account.select(*ACTOR_COLUMNS, Account.password_hash, Account.session_generation,
                               Account.password_sign_in).where(Account.username == username).first()
    ok = await verify_password(password, row["password_hash"] if row else DUMMY_HASH)
    ok = ok and row["password_sign_in"]  # an admin may keep an account to ProConnect only
    actor = actor_of_row(row) if ok else None
    async with db.transaction():
        if actor is not None:
            await _give_back(username, address, now)
            await record("account.sign_in", account_id=actor.id, address=address, target=username)
        else:
            await record("account.sign_in_failed", account_id=None, address=address, target=username,
                         detail={"known_account": row is not None})
    if actor is None:
        raise DomainError(N_("Nom d'utilisateur ou mot de passe incorrect."), "password")
    return actor, row["session_generation"]


async def sign_out(actor: Actor, address: str) -> None:
    """End every session of the account, everywhere."""
    async with db.transaction():
        await end_sessions(actor.id)
        await record("account.sign_out", account_id=actor.id, address=address, target=actor.username)
