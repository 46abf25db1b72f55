"""Personal API tokens: `Authorization: Bearer tal_…` on /api/ acts with the rights of
the token's account.

A token is shown once, when created; only its SHA-256 is stored, with a name, an
expiry, the date it was last used and, once revoked, the date of revocation. Each
token is rate-limited (a fixed window counted in the database, so that every process
shares it). A request with a bearer token carries no cookie session and needs no
CSRF token: `BearerActor` is the one place where the header becomes an actor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from tal.accounts.actor import Actor
from tal.accounts.services import actor_by_id
from tal.accounts.tables import ApiToken
from tal.core.errors import DomainError, NotFound
from tal.i18n import N_

PREFIX = "tal_"
MAX_TOKENS = 20
EXPIRY_DAYS = (30, 90, 365)
RATE_WINDOW = dt.timedelta(minutes=1)
RATE_LIMIT = 120  # requests per token and window
LAST_USED_EVERY = dt.timedelta(minutes=1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class TokenView:
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > now()


async def create(actor: Actor, name: str, days: int) -> tuple[int, str]:
    """A new token for this account: (id, the token, to show once)."""
    name = " ".join(name.split())
    if not name:
        raise DomainError(N_("donnez un nom au jeton (par exemple l'outil qui l'utilise)"), "name")
    if len(name) > 80:
        raise DomainError(N_("80 caractères au plus"), "name")
    if days not in EXPIRY_DAYS:
        raise DomainError(N_("durée de validité attendue\u202f: %(days)s jours"), "days", {"days": ", ".join(map(str, EXPIRY_DAYS))})
    active = await ApiToken.count().where(
        (ApiToken.account == actor.id) & ApiToken.revoked_at.is_null() & (ApiToken.expires_at > now()))
    if active >= MAX_TOKENS:
        raise DomainError(N_("au plus %(limit)d jetons actifs\u202f: révoquez-en un d'abord"), "name", {"limit": MAX_TOKENS})
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(account=actor.id, name=name, token_hash=digest(token), prefix=token[:10],
                   created_at=now(), expires_at=now() + dt.timedelta(days=days))
    await row.save()
    return row.id, token


async def of(actor: Actor) -> list[TokenView]:
    rows = await ApiToken.select().where(ApiToken.account == actor.id).order_by(ApiToken.id, ascending=False)
    return [TokenView(r["id"], r["name"], r["prefix"], r["created_at"], r["expires_at"], r["last_used_at"],
                      r["revoked_at"]) for r in rows]


async def revoke(actor: Actor, token_id: int) -> None:
    """Revoke one of the account's own tokens (someone else's is not found)."""
    done = await ApiToken.update({ApiToken.revoked_at: now()}).where(
        (ApiToken.id == token_id) & (ApiToken.account == actor.id) & ApiToken.revoked_at.is_null()
    ).returning(ApiToken.id)
    if not done and not await ApiToken.exists().where((ApiToken.id == token_id) & (ApiToken.account == actor.id)):
        raise NotFound(N_("aucun jeton de ce numéro sur votre compte"))


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after


async def actor_by_token(token: str) -> Actor | None:
    """The account's actor for a valid token (counted against its rate limit), or None."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = await ApiToken.select().where(ApiToken.token_hash == digest(token)).first()
    moment = now()
    if row is None or row["revoked_at"] is not None or row["expires_at"] <= moment:
        return None
    start = row["window_start"]
    if start is None or moment - start >= RATE_WINDOW:
        values = {ApiToken.window_start: moment, ApiToken.window_count: 1}
    elif row["window_count"] >= RATE_LIMIT:
        raise RateLimited(int((start + RATE_WINDOW - moment).total_seconds()) + 1)
    else:
        values = {ApiToken.window_count: ApiToken.window_count + 1}
    if row["last_used_at"] is None or moment - row["last_used_at"] >= LAST_USED_EVERY:
        values[ApiToken.last_used_at] = moment
    await ApiToken.update(values).where(ApiToken.id == row["id"])
    return await actor_by_id(row["account"])


async def _error(send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"error": {"status": status, "message": message, "field": "Authorization"}},
                      ensure_ascii=False).encode()
    extra = {"content-type": "application/json", "www-authenticate": 'Bearer realm="tal"', **(headers or {})}
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in extra.items()]})
    await send({"type": "http.response.body", "body": body})


class BearerActor(ASGIMiddleware):
    """On /api/, `Authorization: Bearer …` sets the actor (instead of any session).

    An unknown, expired or revoked token gets 401; past the rate limit, 429. The
    request is marked as a bearer request: the write API accepts only those, and
    they need no CSRF token since a browser never adds this header by itself.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
            await next_app(scope, receive, send)
            return
        header = next((v for k, v in scope.get("headers", []) if k == b"authorization"), None)
        if header is None:
            await next_app(scope, receive, send)
            return
        scheme, _, token = header.decode("latin-1").partition(" ")
        state = scope.setdefault("state", {})
        from tal import db

        try:
            if scheme.lower() != "bearer":
                raise LookupError
            async with db.transaction():
                actor = await actor_by_token(token.strip())
            if actor is None:
                raise LookupError
        except LookupError:
            await _error(send, 401, "jeton d'API inconnu, expiré ou révoqué")
            return
        except RateLimited as limited:
            await _error(send, 429, "trop de requêtes avec ce jeton : réessayez dans une minute",
                         {"retry-after": str(limited.retry_after)})
            return
        state["actor"] = actor
        state["bearer"] = True
        await next_app(scope, receive, send)


class Unauthorized(DomainError):
    status_code = 401


def bearer_actor(request) -> Actor:
    """The actor of a bearer request; the write API refuses anything else (cookies)."""
    state = request.scope.get("state", {})
    if not state.get("bearer"):
        raise Unauthorized("l'API d'écriture demande un jeton personnel (en-tête Authorization: Bearer tal_…), "
                           "créé sur la page de votre compte", "Authorization")
    return state["actor"]
