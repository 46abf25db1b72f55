"""The loader creates new experiments many files at a time: the rows are the same as
saving each file alone (register, then journal), results keep the files' order, and a
bad file anywhere, even after a first batch was written, leaves nothing."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from conftest import ROOT, SAMPLES, _empty
from tal import db, loader
from tal.accounts.tables import Service
from tal.audit import services as audit
from tal.audit.tables import AuditEntry
from tal.core.errors import DomainError
from tal.evaluation import services as evaluation
from tal.evaluation.tables import Snapshot
from tal.experiments import fileformat, services
from tal.experiments.tables import Experiment, ExperimentEvent, ExperimentObjective, ExperimentService, Objective
from tal.journal import services as journal
from tal.journal.tables import JournalEntry, JournalEntryService, JournalEntryTag, Tag

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")
TABLES = (Service, Objective, Tag, Experiment, ExperimentService, ExperimentObjective, ExperimentEvent,
          JournalEntry, JournalEntryTag, JournalEntryService, Snapshot, AuditEntry)
# Written at the time of the load, not from the file.
CLOCK = {"at", "created_at", "updated_at", "published_at", "computed_at"}


def journal_entries(i: int, count: int = 3) -> str:
    return "".join(
        f'\n[[journal]]\ntitle = "Entrée {k}"\nhappened_on = 2026-03-{k + 1:02d}\nwhat_happened = "Fait {i}-{k}."\n'
        f'published = {"true" if k % 2 == 0 else "false"}\ntags = ["outil", "étiquette {i % 3}"]\n'
        for k in range(count))


def generated(count: int) -> list[str]:
    return [MINIMAL.replace("essai-minimal", f"essai-{i}")
            .replace('service = "Population et citoyenneté"', f'service = "Service {i % 7}"')
            + journal_entries(i) for i in range(count)]


def without_clock(value):
    if isinstance(value, dict):
        return {k: without_clock(v) for k, v in value.items() if k not in CLOCK}
    if isinstance(value, list):
        return [without_clock(v) for v in value]
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return without_clock(msgspec.json.decode(value))
        except msgspec.DecodeError:
            return value
    if isinstance(value, dt.datetime):
        return "time"
    return value


async def dump() -> dict[str, list]:
    return {t._meta.tablename: without_clock(await t.select().order_by(t.id)) for t in TABLES}


async def one_at_a_time(docs) -> None:
    """What the loader did before it created files in batches: each file saved alone."""
    async with db.transaction():
        results = []
        for doc in docs:
            result = await services.save(doc, None, from_file=True, evaluate=False)
            if doc.journal:
                await journal.replace_entries(result.experiment_id, result.service_id, doc.journal, new=True)
            results.append(result)
        file = {"account_id": None, "address": None, "detail": {"source": "file"}}
        await audit.record_many(
            [{**file, "action": "experiment.register", "target": r.slug} for r in results if r.registered]
            + [{**file, "action": "experiment.amend", "target": r.slug,
                "detail": {"source": "file", "amendments": r.amended}} for r in results if r.amended])
        await evaluation.refresh([r.slug for r in results])


async def test_batches_write_the_same_rows_as_one_file_at_a_time(database, monkeypatch):
    monkeypatch.setattr(loader, "CHUNK", 4)  # several batches, the last one partial
    docs = [fileformat.read(p) for p in fileformat.collect([SAMPLES])]
    docs += [fileformat.parse(t) for t in generated(6)]
    await one_at_a_time(docs)
    expected = await dump()
    assert len(expected["journal_entry"]) >= 18 and len(expected["experiment"]) == len(docs)
    await _empty(db.current_engine())
    async with db.transaction():
        results = await loader.load_documents(docs)
    assert [r.slug for r in results] == [d.experiment.slug for d in docs]
    assert all(r.created for r in results)
    assert await dump() == expected


async def test_new_and_existing_files_mixed_keep_their_order(database, monkeypatch):
    monkeypatch.setattr(loader, "CHUNK", 2)
    texts = generated(5)
    async with db.transaction():
        await loader.load_documents([fileformat.parse(texts[2])])
    changed = texts[2].replace('title = "Entrée 1"', 'title = "Entrée 1 bis"')
    async with db.transaction():
        results = await loader.load_documents([fileformat.parse(t) for t in (texts[0], texts[1], changed,
                                                                             texts[3], texts[4])])
    assert [(r.slug, r.created, r.changed) for r in results] == [
        ("essai-0", True, True), ("essai-1", True, True), ("essai-2", False, True), ("essai-3", True, True),
        ("essai-4", True, True)]
    titles = {r["title"] for r in await JournalEntry.select(JournalEntry.title).where(
        JournalEntry.experiment.slug == "essai-2")}
    assert titles == {"Entrée 0", "Entrée 1", "Entrée 1 bis", "Entrée 2"}  # the old one withdrawn, kept


async def test_a_bad_file_after_a_first_batch_writes_nothing(database):
    texts = generated(150)
    texts[130] = texts[130].replace('title = "Entrée 2"', 'title = "Entrée 0"').replace(
        "happened_on = 2026-03-03", "happened_on = 2026-03-01")
    with pytest.raises(DomainError) as refused:
        async with db.transaction():
            await loader.load_documents([fileformat.parse(t) for t in texts], [f"f-{i}.toml" for i in range(150)])
    assert (refused.value.field, refused.value.message) == ("f-130.toml : journal[3].title", journal.SAME_KEY)
    for table in TABLES:
        assert await table.count() == 0, table._meta.tablename


async def test_a_refused_update_after_a_first_batch_writes_nothing(database):
    texts = generated(150)
    async with db.transaction():
        await loader.load_documents([fileformat.parse(texts[120])])
    before = await dump()
    texts[120] = texts[120].replace("Fait 120-2.", "Fait autrement.")
    with pytest.raises(DomainError) as refused:
        async with db.transaction():
            await loader.load_documents([fileformat.parse(t) for t in texts], [f"f-{i}.toml" for i in range(150)])
    assert (refused.value.field, refused.value.message) == ("f-120.toml : journal[3].what_happened",
                                                            journal.PUBLISHED_TEXT)
    assert await dump() == before


async def test_a_bulk_insert_refuses_a_value_for_no_column(database):
    """A misspelt key would otherwise be dropped in silence (a new instance of the table
    refused it)."""
    with pytest.raises(ValueError, match="actoin"):
        await db.insert_all(AuditEntry, [{"actoin": "x", "target": ""}])
    assert await AuditEntry.count() == 0
