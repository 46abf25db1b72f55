"""Administration of accounts, services and strategic objectives: the one set of
functions the admin pages, the command line and the API call. Each change is
checked (unknown role or service, last admin, merging a service into itself…),
written in the caller's transaction and recorded in the audit log.

`by` is the acting account's id (None: the command line), `address` its address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import msgspec

from tal.accounts import actorcache
from tal.accounts import services as accounts
from tal.accounts.tables import ROLES, Account, PasswordReset, Service
from tal.audit.services import record
from tal.core.errors import DomainError, NotFound
from tal.core.like import contains
from tal.db import json_value
from tal.experiments.tables import Experiment, ExperimentObjective, ExperimentService, Objective
from tal.i18n import N_
from tal.journal.tables import JournalEntry, JournalEntryService

RESET_HOURS = 24
NAME_MAX = 120
OBJECTIVE_MAX = 200

UNKNOWN_SERVICE = N_("service inconnu\u202f: choisissez un service existant (ou créez-le d'abord)")
LAST_ADMIN = N_("c'est le dernier compte administrateur actif\u202f: nommez-en un autre d'abord")
RESET_USED = N_("ce lien de réinitialisation a déjà servi\u202f: demandez-en un nouveau à un administrateur")
RESET_EXPIRED = N_("ce lien de réinitialisation a expiré (24\u202fheures)\u202f: demandez-en un nouveau")
RESET_UNKNOWN = N_("lien de réinitialisation inconnu")
NO_OTHER_SIGN_IN = N_("ce compte n'est pas relié à ProConnect\u202f: sans mot de passe, il ne pourrait plus se connecter")
SAME_SERVICE = N_("un service ne peut pas être fusionné avec lui-même")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _name(value: str, field: str, limit: int = NAME_MAX) -> str:
    value = (value or "").strip()
    if "\x00" in value or any(c in value for c in "|\r\n"):
        raise DomainError(N_("caractère interdit (|, saut de ligne ou caractère nul)"), field)
    if not value:
        raise DomainError(N_("ce champ est obligatoire"), field)
    if len(value) > limit:
        raise DomainError(N_("%(limit)d caractères au plus"), field, {"limit": limit})
    return value


# ---------------------------------------------------------------- services


async def _service(name: str, field: str = "service") -> dict:
    row = await Service.select(Service.id, Service.name, Service.archived).where(Service.name == name.strip()).first()
    if row is None:
        raise DomainError(UNKNOWN_SERVICE, field)
    return row


async def create_service(name: str, *, by: int | None, address: str | None) -> str:
    name = _name(name, "name")
    created = await Service.insert(Service(name=name)).on_conflict(
        target=Service.name, action="DO NOTHING").returning(Service.id)
    if not created:
        raise DomainError(N_("ce service existe déjà"), "name")
    await record("service.create", account_id=by, address=address, target=name, detail={"service": created[0]["id"]})
    return name


async def rename_service(name: str, new_name: str, *, by: int | None, address: str | None) -> None:
    """Rename a service everywhere it is named (experiments, journal entries)."""
    row = await _service(name)
    new_name = _name(new_name, "new_name")
    if new_name == row["name"]:
        return
    if await Service.exists().where(Service.name == new_name):
        raise DomainError(N_("un service porte déjà ce nom\u202f: fusionnez-les plutôt"), "new_name")
    await Service.update({Service.name: new_name}).where(Service.id == row["id"])
    await move_service_data(row["id"], row["name"], row["id"], new_name)
    await record("service.rename", account_id=by, address=address, target=new_name,
                 detail={"service": row["id"], "before": row["name"], "after": new_name})


async def merge_services(source: str, target: str, *, by: int | None, address: str | None) -> dict[str, int]:
    """Merge `source` into `target`: its accounts, experiments and journal entries move
    to `target`, and `source` is deleted. The counts moved."""
    src, dst = await _service(source, "source"), await _service(target, "target")
    if src["id"] == dst["id"]:
        raise DomainError(SAME_SERVICE, "target")
    moved = await move_service_data(src["id"], src["name"], dst["id"], dst["name"])
    await Service.delete().where(Service.id == src["id"])
    await record("service.merge", account_id=by, address=address, target=dst["name"],
                 detail={"source": src["name"], "target": dst["name"], **moved})
    return moved


def _replace_name(names: list[str], old: str, new: str) -> list[str]:
    """`old` replaced by `new` in a list of names, without duplicates, order kept."""
    out: list[str] = []
    for name in names:
        name = new if name == old else name
        if name not in out:
            out.append(name)
    return out


async def _move_links(table, owner_key, old_id: int, new_id: int) -> None:
    """Point a join table's rows at service `new_id` instead of `old_id`; where a row
    already points at `new_id`, the old one goes (an owning row keeps its flag)."""
    both = await table.select(owner_key, *([table.owner] if hasattr(table, "owner") else [])).where(
        (table.service == old_id) & owner_key.is_in(table.select(owner_key).where(table.service == new_id)))
    for row in both:
        key = row[owner_key._meta.name]
        if row.get("owner"):
            await table.update({table.owner: True}).where((owner_key == key) & (table.service == new_id))
        await table.delete().where((owner_key == key) & (table.service == old_id))
    await table.update({table.service: new_id}).where(table.service == old_id)


async def move_service_data(old_id: int, old_name: str, new_id: int, new_name: str) -> dict[str, int]:
    """THE data move of a service rename or merge, in one place: accounts and journal
    teams (foreign keys), experiments' owning service (foreign key), the related rows the
    pages filter on, and the names the documents carry (owner, partners, decision
    targets; journal `services`). The counts of rows changed, for the audit log."""
    accounts_moved = await Account.update({Account.service: new_id}).where(
        Account.service == old_id).returning(Account.id) if old_id != new_id else []
    if accounts_moved:
        actorcache.forget()
    experiments = 0
    rows = await Experiment.select(Experiment.id, Experiment.document).where(
        (Experiment.service == old_id)
        | Experiment.id.is_in(ExperimentService.select(ExperimentService.experiment)
                              .where(ExperimentService.service == old_id)))
    for row in rows:
        doc = json_value(row["document"])
        head = doc["experiment"]
        if head.get("service") == old_name:
            head["service"] = new_name
        head["partner_services"] = [n for n in _replace_name(head.get("partner_services", []), old_name, new_name)
                                    if n != head["service"]]
        if doc.get("decision"):
            doc["decision"]["target_services"] = _replace_name(doc["decision"].get("target_services", []),
                                                               old_name, new_name)
        await Experiment.update({Experiment.document: msgspec.json.encode(doc).decode()}).where(
            Experiment.id == row["id"])
        experiments += 1
    entries = 0
    rows = await JournalEntry.select(JournalEntry.id, JournalEntry.team, JournalEntry.services).where(
        (JournalEntry.team == old_id)
        | JournalEntry.id.is_in(JournalEntryService.select(JournalEntryService.entry)
                                .where(JournalEntryService.service == old_id)))
    for row in rows:
        names = json_value(row["services"]) or []
        await JournalEntry.update({
            JournalEntry.team: new_id if row["team"] == old_id else row["team"],
            JournalEntry.services: msgspec.json.encode(_replace_name(names, old_name, new_name)).decode(),
        }).where(JournalEntry.id == row["id"])
        entries += 1
    if old_id != new_id:
        await Experiment.update({Experiment.service: new_id}).where(Experiment.service == old_id)
        await _move_links(ExperimentService, ExperimentService.experiment, old_id, new_id)
        await _move_links(JournalEntryService, JournalEntryService.entry, old_id, new_id)
    return {"accounts": len(accounts_moved), "experiments": experiments, "entries": entries}


async def set_service_archived(name: str, archived: bool, *, by: int | None, address: str | None) -> None:
    row = await _service(name)
    if row["archived"] == archived:
        return
    await Service.update({Service.archived: archived}).where(Service.id == row["id"])
    await record("service.archive" if archived else "service.restore", account_id=by, address=address,
                 target=row["name"], detail={"service": row["id"]})


@dataclass
class ServiceRow:
    name: str
    archived: bool
    accounts: int
    experiments: int


async def list_services() -> list[ServiceRow]:
    rows = await Service.select(Service.id, Service.name, Service.archived).order_by(Service.name)
    people = await Account.select(Account.service).where(Account.service.is_not_null())
    owned = await Experiment.select(Experiment.service)
    count_people = _counts(r["service"] for r in people)
    count_owned = _counts(r["service"] for r in owned)
    return [ServiceRow(r["name"], r["archived"], count_people.get(r["id"], 0), count_owned.get(r["id"], 0))
            for r in rows]


def _counts(values) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


# ---------------------------------------------------------------- objectives


async def _objective(title: str) -> dict:
    row = await Objective.select(Objective.id, Objective.title, Objective.archived).where(
        Objective.title == title.strip()).first()
    if row is None:
        raise DomainError(N_("objectif inconnu"), "title")
    return row


async def create_objective(title: str, *, by: int | None, address: str | None) -> str:
    title = _name(title, "title", OBJECTIVE_MAX)
    created = await Objective.insert(Objective(title=title)).on_conflict(
        target=Objective.title, action="DO NOTHING").returning(Objective.id)
    if not created:
        raise DomainError(N_("cet objectif existe déjà"), "title")
    await record("objective.create", account_id=by, address=address, target=title)
    return title


async def rename_objective(title: str, new_title: str, *, by: int | None, address: str | None) -> None:
    """Edit an objective's wording, on the experiments that carry it too."""
    row = await _objective(title)
    new_title = _name(new_title, "new_title", OBJECTIVE_MAX)
    if new_title == row["title"]:
        return
    if await Objective.exists().where(Objective.title == new_title):
        raise DomainError(N_("un objectif porte déjà ce titre"), "new_title")
    await Objective.update({Objective.title: new_title}).where(Objective.id == row["id"])
    old = row["title"]
    for exp in await Experiment.select(Experiment.id, Experiment.document).where(Experiment.id.is_in(
            ExperimentObjective.select(ExperimentObjective.experiment).where(ExperimentObjective.objective == row["id"]))):
        doc = json_value(exp["document"])
        doc["experiment"]["objectives"] = _replace_name(doc["experiment"].get("objectives", []), old, new_title)
        await Experiment.update({Experiment.document: msgspec.json.encode(doc).decode()}).where(
            Experiment.id == exp["id"])
    await record("objective.rename", account_id=by, address=address, target=new_title,
                 detail={"before": old, "after": new_title})


async def set_objective_archived(title: str, archived: bool, *, by: int | None, address: str | None) -> None:
    row = await _objective(title)
    if row["archived"] == archived:
        return
    await Objective.update({Objective.archived: archived}).where(Objective.id == row["id"])
    await record("objective.archive" if archived else "objective.restore", account_id=by, address=address,
                 target=row["title"])


async def list_objectives() -> list[dict]:
    return await Objective.select(Objective.title, Objective.archived).order_by(Objective.title)


# ---------------------------------------------------------------- accounts


@dataclass
class AccountFilters:
    q: str = ""
    service: str = ""
    role: str = ""
    state: str = ""  # "" | "active" | "inactive"


async def search_accounts(filters: AccountFilters) -> list[dict]:
    query = Account.select(Account.username, Account.display_name, Account.role, Account.service.name,
                           Account.active, Account.created_at, Account.password_sign_in,
                           Account.oidc_subject).order_by(Account.username)
    if filters.q.strip():
        term = filters.q.strip()[:60]
        query = query.where(contains(Account.username, term.lower()) | contains(Account.display_name, term))
    if filters.service:
        query = query.where(Account.service.name == filters.service)
    if filters.role:
        query = query.where(Account.role == filters.role)
    if filters.state in ("active", "inactive"):
        query = query.where(Account.active == (filters.state == "active"))
    return await query.limit(1000)


async def create_account(username: str, password: str, *, role: str, service: str | None, display_name: str = "",
                         create_service: bool = False, by: int | None, address: str | None):
    """A new account; an unknown service is refused unless `create_service`."""
    if service and service.strip() and not create_service:
        row = await _service(service)
        if row["archived"]:
            raise DomainError(N_("ce service est archivé"), "service")
    elif service and service.strip():
        service = _name(service, "service")
        # Also when another process creates the same service at the same moment.
        created = await Service.insert(Service(name=service)).on_conflict(
            target=Service.name, action="DO NOTHING").returning(Service.id)
        if created:
            await record("service.create", account_id=by, address=address, target=service,
                         detail={"service": created[0]["id"]})
    return await accounts.create_account(username, password, role=role, service=service, display_name=display_name,
                                         by=by, address=address)


async def _account(username: str) -> dict:
    row = await Account.select(Account.id, Account.username, Account.role, Account.active,
                               Account.service.name).where(Account.username == username.strip()).first()
    if row is None:
        raise NotFound(N_("aucun compte de ce nom"), "username")
    return row


async def _keep_an_admin(row: dict) -> None:
    """Refuse to take away the last admin who can sign in: active, with password sign-in
    allowed or linked to ProConnect."""
    if row["role"] == "admin" and row["active"]:
        others = await Account.count().where(
            (Account.role == "admin") & (Account.active == True) & (Account.id != row["id"])  # noqa: E712
            & ((Account.password_sign_in == True) | Account.oidc_subject.is_not_null()))  # noqa: E712
        if not others:
            raise DomainError(LAST_ADMIN, "username")


async def set_role(username: str, role: str, *, by: int | None, address: str | None) -> None:
    row = await _account(username)
    if role not in ROLES:
        raise DomainError(N_("rôle inconnu\u202f: agent, manager, committee ou admin"), "role")
    if role != "admin":
        await _keep_an_admin(row)
        if row["service.name"] is None:
            raise DomainError(N_("chaque compte est rattaché à un service"), "service")
    await accounts.set_role(username, role, by=by, address=address)


async def set_service(username: str, service: str, *, by: int | None, address: str | None) -> None:
    row = await _account(username)
    if not service.strip():
        if row["role"] != "admin":
            raise DomainError(N_("chaque compte est rattaché à un service"), "service")
        target = None
    else:
        found = await _service(service)
        target = found["id"]
        if found["archived"]:
            raise DomainError(N_("ce service est archivé"), "service")
    before = row["service.name"]
    if (service.strip() or None) == before:
        return
    await Account.update({Account.service: target}).where(Account.id == row["id"])
    actorcache.forget()
    await record("account.service", account_id=by, address=address, target=row["username"],
                 detail={"account": row["id"], "before": before, "after": service.strip() or None})


async def deactivate(username: str, *, by: int | None, address: str | None) -> bool:
    await _keep_an_admin(await _account(username))
    return await accounts.deactivate(username, by=by, address=address)


async def reactivate(username: str, *, by: int | None, address: str | None) -> bool:
    row = await _account(username)
    if row["active"]:
        return False
    await Account.update({Account.active: True}).where(Account.id == row["id"])
    actorcache.forget()
    await record("account.reactivate", account_id=by, address=address, target=row["username"],
                 detail={"account": row["id"]})
    return True


async def set_password_sign_in(username: str, allowed: bool, *, by: int | None, address: str | None) -> None:
    """Allow or refuse password sign-in for an account (those using ProConnect)."""
    row = await _account(username)
    if not allowed:
        linked = await Account.select(Account.oidc_subject).where(Account.id == row["id"]).first()
        if linked["oidc_subject"] is None:
            raise DomainError(NO_OTHER_SIGN_IN, "username")
        await _keep_an_admin(row)
    await Account.update({Account.password_sign_in: allowed}).where(Account.id == row["id"])
    await record("account.password_sign_in", account_id=by, address=address, target=row["username"],
                 detail={"account": row["id"], "allowed": allowed})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def reset_link(username: str, *, by: int | None, address: str | None) -> str:
    """A new one-time reset token for the account (shown to the admin once); earlier
    unused links of the account stop working."""
    row = await _account(username)
    if not row["active"]:
        raise DomainError(N_("ce compte est désactivé\u202f: réactivez-le d'abord"), "username")
    token = secrets.token_urlsafe(32)
    now = _now()
    await PasswordReset.update({PasswordReset.used_at: now}).where(
        (PasswordReset.account == row["id"]) & PasswordReset.used_at.is_null())
    await PasswordReset.insert(PasswordReset(account=row["id"], token_hash=_digest(token), created_at=now,
                                             expires_at=now + dt.timedelta(hours=RESET_HOURS)))
    await record("account.reset_link", account_id=by, address=address, target=row["username"],
                 detail={"account": row["id"]})
    return token


async def _reset(token: str) -> dict:
    if not token or len(token) > 100:
        raise NotFound(RESET_UNKNOWN, "token")
    row = await PasswordReset.select(PasswordReset.id, PasswordReset.expires_at, PasswordReset.used_at,
                                     PasswordReset.account.username, PasswordReset.account.active).where(
        PasswordReset.token_hash == _digest(token)).first()
    if row is None or not row["account.active"]:
        raise NotFound(RESET_UNKNOWN, "token")
    if row["used_at"] is not None:
        raise DomainError(RESET_USED, "token")
    if row["expires_at"] <= _now():
        raise DomainError(RESET_EXPIRED, "token")
    return row


async def check_reset(token: str) -> str:
    """The user name a valid reset link is for."""
    return (await _reset(token))["account.username"]


async def use_reset(token: str, password: str, *, address: str | None) -> str:
    """Set the new password through a reset link, once; every session of the account ends."""
    row = await _reset(token)
    used = await PasswordReset.update({PasswordReset.used_at: _now()}).where(
        (PasswordReset.id == row["id"]) & PasswordReset.used_at.is_null()).returning(PasswordReset.id)
    if not used:
        raise DomainError(RESET_USED, "token")
    await accounts.set_password(row["account.username"], password, by=None, address=address)
    return row["account.username"]
