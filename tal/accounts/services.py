"""Accounts: creation, sign-in with rate limiting, lookup."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from tal.accounts.actor import Actor
from tal.accounts.passwords import DUMMY_HASH, hash_password, verify_password
from tal.accounts.tables import ROLES, Account, LoginAttempt, Service
from tal.core.errors import DomainError

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
MIN_PASSWORD = 10
WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20


class TooManyAttempts(DomainError):
    status_code = 429


async def ensure_service(name: str) -> int:
    """The id of the service with this name, created if missing."""
    row = await Service.select(Service.id).where(Service.name == name).first()
    if row:
        return row["id"]
    created = await Service.insert(Service(name=name)).returning(Service.id)
    return created[0]["id"]


async def service_names() -> list[str]:
    rows = await Service.select(Service.name).order_by(Service.name)
    return [r["name"] for r in rows]


async def create_account(username: str, password: str, *, role: str, service: str | None, display_name: str = "") -> Actor:
    if not USERNAME.match(username):
        raise DomainError("2 à 60 caractères : minuscules, chiffres, point, tiret ou souligné", "username")
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"au moins {MIN_PASSWORD} caractères", "password")
    if role not in ROLES:
        raise DomainError(f"rôle inconnu : choisissez parmi {', '.join(ROLES)}", "role")
    if role != "admin" and not service:
        raise DomainError("chaque compte est rattaché à un service", "service")
    if await Account.exists().where(Account.username == username):
        raise DomainError("ce nom d'utilisateur existe déjà", "username")
    service_id = await ensure_service(service) if service else None
    account = Account(
        username=username,
        display_name=display_name or username,
        password_hash=await hash_password(password),
        role=role,
        service=service_id,
    )
    await account.save()
    return Actor(account.id, username, account.display_name, role, service)


async def actor_by_id(account_id: int) -> Actor | None:
    row = (
        await Account.select(
            Account.id, Account.username, Account.display_name, Account.role, Account.service.name, Account.active
        )
        .where(Account.id == account_id)
        .first()
    )
    if not row or not row["active"]:
        return None
    return Actor(row["id"], row["username"], row["display_name"], row["role"], row["service.name"])


async def new_feed_token(actor: Actor) -> str:
    """A new personal feed token (the previous one stops working); only its hash is kept."""
    token = secrets.token_urlsafe(24)
    await Account.update({Account.feed_token_hash: hashlib.sha256(token.encode()).hexdigest()}).where(
        Account.id == actor.id)
    return token


async def actor_by_feed_token(token: str) -> Actor | None:
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = await Account.select(Account.id).where(Account.feed_token_hash == digest).first()
    return await actor_by_id(row["id"]) if row else None


async def _recent_failures(key: str, now: dt.datetime) -> int:
    return await LoginAttempt.count().where(
        (LoginAttempt.key == key) & (LoginAttempt.succeeded == False) & (LoginAttempt.at > now - WINDOW)  # noqa: E712
    )


async def authenticate(username: str, password: str, address: str) -> Actor | None:
    """The actor for these credentials, or None; too many recent failures: TooManyAttempts.

    The attempt is recorded either way: the caller commits it, then reports a failure.
    """
    now = dt.datetime.now(dt.timezone.utc)
    username = username.strip().lower()[:60]
    user_key, address_key = f"user:{username}", f"ip:{address}"
    if (
        await _recent_failures(user_key, now) >= MAX_FAILURES_PER_USER
        or await _recent_failures(address_key, now) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts("Trop de tentatives de connexion. Réessayez dans 15 minutes.")
    row = await Account.select(Account.id, Account.password_hash, Account.active).where(Account.username == username).first()
    ok = await verify_password(password, row["password_hash"] if row else DUMMY_HASH)
    ok = ok and row is not None and row["active"]
    await LoginAttempt.insert(
        LoginAttempt(key=user_key, succeeded=ok, at=now), LoginAttempt(key=address_key, succeeded=ok, at=now)
    )
    await LoginAttempt.delete().where(LoginAttempt.at < now - 4 * WINDOW)
    return await actor_by_id(row["id"]) if ok else None
