"""The audit log: events recorded with their transaction, pruned after their retention."""

from __future__ import annotations

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
