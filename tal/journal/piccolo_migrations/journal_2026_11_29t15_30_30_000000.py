"""Indexes for the management review: journal entries counted per team, action items
filtered by due date."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T15:30:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index journal_entry.team and journal_action.due_on"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="journal", description=DESCRIPTION)

    async def indexes():
        from tal.journal.tables import JournalEntry

        for sql in ("CREATE INDEX IF NOT EXISTS journal_entry_team ON journal_entry (team)",
                    "CREATE INDEX IF NOT EXISTS journal_action_due_on ON journal_action (due_on)"):
            await JournalEntry._meta.db.run_ddl(sql)

    manager.add_raw(indexes)
    return manager
