"""Accounts: creation, changes that end sessions, lookup. Sign-in limits are in
`throttle`, the session cookie's content in `sessions`.

Every change to an account is recorded in the audit log, in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from tal.accounts import actorcache
from tal.accounts.actor import Actor
from tal.accounts.passwords import hash_password, weakness
from tal.accounts.tables import ROLES, Account, Service
from tal.audit.services import record
from tal.core.errors import DomainError, NotFound
from tal.i18n import N_

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
NAME_MAX = 120


def _check_text(value: str, field: str) -> str:
    if "\x00" in value:
        raise DomainError(N_("caractère nul interdit"), field)
    if len(value) > NAME_MAX:
        raise DomainError(N_("%(limit)d caractères au plus"), field, {"limit": NAME_MAX})
    return value.strip()


def _check_password(password: str, username: str) -> None:
    if problem := weakness(password, username):
        raise DomainError(problem, "password")


async def ensure_service(name: str) -> int:
    """The id of the service with this name, created if missing (also when another
    process creates it at the same moment)."""
    await Service.insert(Service(name=name)).on_conflict(target=Service.name, action="DO NOTHING")
    row = await Service.select(Service.id).where(Service.name == name).first()
    return row["id"]


async def service_names() -> list[str]:
    """The services offered in forms: archived ones are left out."""
    rows = await Service.select(Service.name).where(Service.archived == False).order_by(Service.name)  # noqa: E712
    return [r["name"] for r in rows]


async def create_account(
    username: str, password: str, *, role: str, service: str | None, display_name: str = "",
    by: int | None = None, address: str | None = None,
) -> Actor:
    """A new account; `by` and `address` say who creates it, for the audit log."""
    actorcache.forget()
    if not USERNAME.match(username):
        raise DomainError(N_("2 à 60 caractères\u202f: minuscules, chiffres, point, tiret ou souligné"), "username")
    _check_password(password, username)
    if role not in ROLES:
        raise DomainError(N_("rôle inconnu\u202f: choisissez parmi %(roles)s"), "role", {"roles": ", ".join(ROLES)})
    service = _check_text(service or "", "service") or None
    display_name = _check_text(display_name, "name") or username
    if role != "admin" and not service:
        raise DomainError(N_("chaque compte est rattaché à un service"), "service")
    password_hash = await hash_password(password)
    service_id = await ensure_service(service) if service else None
    created = await Account.insert(
        Account(username=username, display_name=display_name, password_hash=password_hash, role=role, service=service_id)
    ).on_conflict(target=Account.username, action="DO NOTHING").returning(Account.id)
    if not created:
        raise DomainError(N_("ce nom d'utilisateur existe déjà"), "username")
    account_id = created[0]["id"]
    await record("account.create", account_id=by, address=address, target=username,
                 detail={"account": account_id, "role": role, "service": service})
    return Actor(account_id, username, display_name, role, service)


async def _account(username: str) -> dict:
    row = await Account.select(Account.id, Account.role, Account.active).where(Account.username == username).first()
    if row is None:
        raise NotFound(N_("aucun compte de ce nom"), "username")
    return row


async def end_sessions(account_id: int) -> None:
    """End every session of this account, in every process (within actorcache.TTL_S)."""
    actorcache.forget()
    await Account.update({Account.session_generation: Account.session_generation + 1}).where(Account.id == account_id)


async def set_password(username: str, password: str, *, by: int | None, address: str | None) -> None:
    """A new password; every session of the account ends."""
    row = await _account(username)
    _check_password(password, username)
    await Account.update({Account.password_hash: await hash_password(password)}).where(Account.id == row["id"])
    await end_sessions(row["id"])
    await record("account.password", account_id=by, address=address, target=username, detail={"account": row["id"]})


async def set_role(username: str, role: str, *, by: int | None, address: str | None) -> None:
    row = await _account(username)
    if role not in ROLES:
        raise DomainError(N_("rôle inconnu\u202f: choisissez parmi %(roles)s"), "role", {"roles": ", ".join(ROLES)})
    if role == row["role"]:
        return
    actorcache.forget()
    await Account.update({Account.role: role}).where(Account.id == row["id"])
    await record("account.role", account_id=by, address=address, target=username,
                 detail={"account": row["id"], "before": row["role"], "after": role})


async def deactivate(username: str, *, by: int | None, address: str | None) -> bool:
    """Deactivate the account and end its sessions; False if it already was."""
    row = await _account(username)
    if not row["active"]:
        return False
    actorcache.forget()
    await Account.update({Account.active: False}).where(Account.id == row["id"])
    await end_sessions(row["id"])
    await record("account.deactivate", account_id=by, address=address, target=username, detail={"account": row["id"]})
    return True


async def list_accounts() -> list[dict]:
    return await Account.select(
        Account.username, Account.display_name, Account.role, Account.service.name, Account.active
    ).order_by(Account.username)


ACTOR_COLUMNS = (Account.id, Account.username, Account.display_name, Account.role, Account.service.name, Account.active)


def actor_of_row(row: dict | None) -> Actor | None:
    if not row or not row["active"]:
        return None
    return Actor(row["id"], row["username"], row["display_name"], row["role"], row["service.name"])


async def actor_by_id(account_id: int) -> Actor | None:
    return actor_of_row(await Account.select(*ACTOR_COLUMNS).where(Account.id == account_id).first())


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


async def ids_named(username: str) -> tuple[int, ...]:
    rows = await Account.select(Account.id).where(Account.username == username.strip().lower()[:60])
    return tuple(r["id"] for r in rows)


async def usernames(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Account.select(Account.id, Account.username).where(Account.id.is_in(sorted(ids)))
    return {r["id"]: r["username"] for r in rows}
