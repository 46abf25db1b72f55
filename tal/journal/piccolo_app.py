import os

from piccolo.conf.apps import AppConfig

from tal.journal.tables import (
    AuthorAccess,
    EntryOfMonth,
    JournalAction,
    JournalCoauthor,
    JournalComment,
    JournalEntry,
    JournalEntryService,
    JournalEntryTag,
    JournalRead,
    JournalReaction,
    JournalRevision,
    Tag,
)

APP_CONFIG = AppConfig(
    app_name="journal",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Tag,
        JournalEntry,
        JournalRevision,
        JournalAction,
        JournalReaction,
        JournalCoauthor,
        JournalComment,
        JournalRead,
        AuthorAccess,
        EntryOfMonth,
        JournalEntryTag,
        JournalEntryService,
    ],
    migration_dependencies=["tal.experiments.piccolo_app"],
)
