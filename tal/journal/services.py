"""Journal entries tied to experiments, as the experiment file carries them."""

from __future__ import annotations

import msgspec

from tal.experiments.schemas import JournalEntry as EntryDoc
from tal.journal.tables import JournalEntry

FIELDS = EntryDoc.__struct_fields__


async def entries_of(experiment_id: int, *, published_only: bool = False) -> list[EntryDoc]:
    query = JournalEntry.select(*[getattr(JournalEntry, f) for f in FIELDS]).where(
        JournalEntry.experiment == experiment_id
    )
    if published_only:
        query = query.where(JournalEntry.published == True)  # noqa: E712
    rows = await query.order_by(JournalEntry.position).output(load_json=True)
    return [msgspec.convert(row, EntryDoc) for row in rows]


async def replace_entries(experiment_id: int, entries: list[EntryDoc]) -> None:
    await JournalEntry.delete().where(JournalEntry.experiment == experiment_id)
    if entries:
        await JournalEntry.insert(
            *[
                JournalEntry(experiment=experiment_id, position=i, **msgspec.structs.asdict(entry))
                for i, entry in enumerate(entries)
            ]
        )
