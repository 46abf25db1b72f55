"""Record events in the audit log, read them back, prune old ones.

`record` writes through the current transaction when one is open (Piccolo runs
queries on the transaction's connection), so an event is kept exactly when the
change it describes is committed.
"""

from __future__ import annotations

import datetime as dt

from tal.audit.tables import AuditEntry

ACTION_MAX = 60
TARGET_MAX = 200
ADDRESS_MAX = 64


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
    await AuditEntry.insert(
        AuditEntry(
            at=dt.datetime.now(dt.timezone.utc),
            action=action[:ACTION_MAX],
            account_id=account_id,
            address=address[:ADDRESS_MAX] if address else None,
            target=(target or "")[:TARGET_MAX],
            detail=detail or {},
        )
    )


async def prune(days: int, *, now: dt.datetime | None = None) -> int:
    """Delete the entries older than `days` days; the number deleted."""
    now = now or dt.datetime.now(dt.timezone.utc)
    limit = now - dt.timedelta(days=days)
    old = await AuditEntry.count().where(AuditEntry.at < limit)
    if old:
        await AuditEntry.delete().where(AuditEntry.at < limit)
    return old
