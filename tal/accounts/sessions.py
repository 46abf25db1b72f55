"""What a session cookie carries, and whether it still opens a session.

The cookie (signed and encrypted by Litestar) holds the account id, the account's
session generation at sign-in, the sign-in time and the time of the last request.
A session ends when it is older than TAL_SESSION_HOURS, idle for more than
TAL_SESSION_IDLE_MINUTES, or when the account's generation has moved on (sign-out,
password change, deactivation: every session of the account, in every process).
Checking it is one indexed lookup by primary key, the one that reads the actor, and
none while the actor is in `actorcache` (a few seconds); requests of the same session
arriving together while it is read wait for that one lookup.
"""

from __future__ import annotations

import time

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from tal.accounts import actorcache
from tal.accounts.actor import Actor
from tal.accounts.services import ACTOR_COLUMNS, actor_of_row
from tal.accounts.tables import Account
from tal.core.once import Once
from tal.db import current_engine
from tal.settings import get_settings


def clock() -> float:
    """The current time, in seconds (one place for tests to move it)."""
    return time.time()


def new_session(account_id: int, generation: int, now: float | None = None) -> dict:
    now = int(now if now is not None else clock())
    return {"uid": account_id, "gen": generation, "iat": now, "seen": now}


def _fresh(session: dict, now: float) -> bool:
    settings = get_settings()
    iat, seen = session.get("iat"), session.get("seen")
    if not isinstance(iat, int) or not isinstance(seen, int):
        return False
    return now - iat < settings.session_hours * 3600 and now - seen < settings.session_idle_minutes * 60


async def session_actor(session: object, now: float | None = None) -> Actor | None:
    """The actor of a live session, or None. On success the session's last-seen
    time moves to now (the cookie is written back with every response)."""
    if not isinstance(session, dict) or not isinstance(session.get("uid"), int):
        return None
    now = clock() if now is None else now
    if not _fresh(session, now):
        return None
    key = (id(current_engine()), session["uid"], session.get("gen"))
    actor = actorcache.recall(key)
    if actor is None:
        await _reading.wait(key)  # the same account's requests arriving together read it once
        actor = actorcache.recall(key)
    if actor is None:
        async with _reading.computing(key):
            actor = await _read_actor(key, session["uid"], session.get("gen"))
    if actor is not None:
        session["seen"] = int(now)
    return actor


_reading = Once()


async def _read_actor(key: tuple, account_id: int, generation: object) -> Actor | None:
    row = (
        await Account.select(*ACTOR_COLUMNS, Account.session_generation)
        .where(Account.id == account_id)
        .first()
    )
    if row is None or row["session_generation"] != generation:
        return None
    actor = actor_of_row(row)
    if actor is not None:
        actorcache.remember(key, actor)
    return actor


async def generation_of(account_id: int) -> int:
    row = await Account.select(Account.session_generation).where(Account.id == account_id).first()
    return row["session_generation"] if row else 0


PENDING_SIGN_IN = "pending_sign_in"


class CurrentActor(ASGIMiddleware):
    """Put the signed-in actor (or None) in scope state, from the session cookie;
    a session that has ended is cleared (its cookie with it)."""

    exclude_path_pattern = ("^/static/",)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session = scope.get("session")
        actor = await session_actor(session) if session else None
        if actor is None and session:
            # A visitor's session keeps only a sign-in in progress (an external provider's).
            kept = session.get(PENDING_SIGN_IN) if isinstance(session, dict) else None
            scope["session"] = {PENDING_SIGN_IN: kept} if kept else {}
        scope.setdefault("state", {})["actor"] = actor
        await next_app(scope, receive, send)
