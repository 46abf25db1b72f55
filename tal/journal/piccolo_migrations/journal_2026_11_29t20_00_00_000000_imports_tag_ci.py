"""One journal tag per name whatever its case: a unique index on lower(name), so two
authors creating « Prestataire » and « prestataire » at once cannot make two tags.

Tags already written twice in different cases are merged first, keeping the data: the
oldest tag (lowest id) stays; the entries' links to the others move onto it (one link
per entry), the entries' own list of tags takes its spelling, and the others go."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Merge journal tags differing only by case; unique index on lower(tag.name)"


async def merge_case_duplicates() -> int:
    """Merge the tags whose names differ only by case; the number of tags removed."""
    from tal.db import json_value
    from tal.journal.tables import JournalEntry, JournalEntryTag, Tag

    rows = await Tag.select(Tag.id, Tag.name).order_by(Tag.id)
    kept: dict[str, dict] = {}
    for row in rows:
        kept.setdefault(row["name"].casefold(), row)
    merged = {row["id"]: kept[row["name"].casefold()] for row in rows if kept[row["name"].casefold()] is not row}
    if not merged:
        return 0
    spelling = {row["name"]: kept[row["name"].casefold()]["name"] for row in rows}
    for old, tag in merged.items():
        linked = JournalEntryTag.select(JournalEntryTag.entry).where(JournalEntryTag.tag == tag["id"])
        await JournalEntryTag.delete().where((JournalEntryTag.tag == old) & JournalEntryTag.entry.is_in(linked))
        await JournalEntryTag.update({JournalEntryTag.tag: tag["id"]}).where(JournalEntryTag.tag == old)
    for entry in await JournalEntry.select(JournalEntry.id, JournalEntry.tags):
        names = json_value(entry["tags"]) or []
        renamed = list(dict.fromkeys(spelling.get(name, name) for name in names))
        if renamed != names:
            await JournalEntry.update({JournalEntry.tags: renamed}).where(JournalEntry.id == entry["id"])
    await Tag.delete().where(Tag.id.is_in(list(merged)))
    return len(merged)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="journal", description=DESCRIPTION)

    async def merge_and_index():
        from tal.journal.tables import Tag

        engine = Tag._meta.db
        if await merge_case_duplicates() and engine.engine_type == "postgres":
            # The data generation's deferred triggers (tal.db) fire now: PostgreSQL creates
            # no index on a table with trigger events pending.
            await engine.run_ddl("SET CONSTRAINTS ALL IMMEDIATE")
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS tag_name_lower ON tag (lower(name))")

    manager.add_raw(merge_and_index)
    return manager
