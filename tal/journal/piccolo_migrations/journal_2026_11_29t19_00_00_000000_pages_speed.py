"""Indexes for the journal's lists at 50,000 entries (issue 11, pages): the count of
the entries a reader sees, and the entries shared per service on the home page, read a
covering index (state, published_at, public, team) rather than every row; the public
lists and feed (public entries, newest first) walk (public, published_at)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index journal_entry (state, published_at, public, team) and (public, published_at)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="journal", description=DESCRIPTION)

    async def indexes():
        from tal.journal.tables import JournalEntry

        for sql in ("CREATE INDEX IF NOT EXISTS journal_entry_state_published ON journal_entry "
                    "(state, published_at, public, team)",
                    "CREATE INDEX IF NOT EXISTS journal_entry_public_published ON journal_entry (public, published_at)"):
            await JournalEntry._meta.db.run_ddl(sql)

    manager.add_raw(indexes)
    return manager
