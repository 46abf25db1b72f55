"""Record events in the audit log, read them back, prune old ones.

`record` writes through the current transaction when one is open (Piccolo runs
queries on the transaction's connection), so an event is kept exactly when the
change it describes is committed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from tal.audit.tables import AuditEntry
from tal.db import insert_all
from tal.core.pagination import Page

ACTION_MAX = 60
TARGET_MAX = 200
ADDRESS_MAX = 64
PER_PAGE = 50
EXPORT_MAX = 100_000


async def record(
    action: str,
    *,
    account_id: int | None,
    address: str | None,
    target: str = "",
    detail: dict | None = None,
) -> None:
    """Append one event: `action` is a short dotted name (``account.sign_in``),
    `target` what it applies to (a slug, a user name), `detail` JSON-able facts."""
    await AuditEntry.insert(_entry(action, account_id=account_id, address=address, target=target, detail=detail))


async def record_many(events: list[dict]) -> None:
    """Append several events (each the keyword arguments of `record`), in a few statements."""
    await insert_all(AuditEntry, [_values(**event) for event in events])


def _entry(action: str, *, account_id: int | None, address: str | None, target: str = "",
           detail: dict | None = None) -> AuditEntry:
    return AuditEntry(**_values(action, account_id=account_id, address=address, target=target, detail=detail))


def _values(action: str, *, account_id: int | None, address: str | None, target: str = "",
            detail: dict | None = None) -> dict:
    return {
        "at": dt.datetime.now(dt.timezone.utc),
        "action": action[:ACTION_MAX],
        "account_id": account_id,
        "address": address[:ADDRESS_MAX] if address else None,
        "target": (target or "")[:TARGET_MAX],
        "detail": detail or {},
    }


async def prune(days: int, *, now: dt.datetime | None = None) -> int:
    """Delete the entries older than `days` days; the number deleted."""
    now = now or dt.datetime.now(dt.timezone.utc)
    limit = now - dt.timedelta(days=days)
    old = await AuditEntry.count().where(AuditEntry.at < limit)
    if old:
        await AuditEntry.delete().where(AuditEntry.at < limit)
    return old


@dataclass(frozen=True)
class Filters:
    """What the admin page filters on; empty values do not filter."""

    action: str = ""
    account_ids: tuple[int, ...] | None = None  # None: any account; (): no account matches
    address: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None  # exclusive


def _where(filters: Filters):
    conditions = []
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.account_ids is not None:
        conditions.append(AuditEntry.account_id.is_in(list(filters.account_ids) or [-1]))
    if filters.address:
        conditions.append(AuditEntry.address == filters.address)
    if filters.since:
        conditions.append(AuditEntry.at >= filters.since)
    if filters.until:
        conditions.append(AuditEntry.at < filters.until)
    return conditions


def _loaded(row: dict) -> dict:
    if isinstance(row["detail"], str):
        row["detail"] = json.loads(row["detail"] or "{}")
    return row


async def search(filters: Filters, page: int, per_page: int = PER_PAGE) -> Page[dict]:
    """One page of entries, newest first."""
    conditions = _where(filters)
    total = await AuditEntry.count().where(*conditions)
    rows = await (AuditEntry.select().where(*conditions).order_by(AuditEntry.id, ascending=False)
                  .limit(per_page).offset((page - 1) * per_page))
    return Page([_loaded(r) for r in rows], total, page, per_page)


async def export(filters: Filters, limit: int = EXPORT_MAX) -> list[dict]:
    """Entries in time order, for a CSV file; at most `limit`."""
    rows = await AuditEntry.select().where(*_where(filters)).order_by(AuditEntry.id).limit(limit)
    return [_loaded(r) for r in rows]


async def actions() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    return [r["action"] for r in rows]
