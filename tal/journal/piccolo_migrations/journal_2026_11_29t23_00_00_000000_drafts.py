"""An index for the drafts a reader sees on the journal page (state, updated_at): at
50,000 published entries and a handful of drafts, SQLite walked the whole journal
by its updated_at index to find them (30 ms); it now reads the drafts alone, in order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index journal_entry (state, updated_at)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="journal", description=DESCRIPTION)

    async def index():
        from tal.journal.tables import JournalEntry

        await JournalEntry._meta.db.run_ddl(
            "CREATE INDEX IF NOT EXISTS journal_entry_state_updated ON journal_entry (state, updated_at)")

    manager.add_raw(index)
    return manager
