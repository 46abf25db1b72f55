"""Tags and services of a journal entry as related rows (journal_entry_tags,
journal_entry_services), and an index on every foreign key and filtered or sorted column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-29T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "journal tags and services as rows, indexes"


def _pk():
    return Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                  choices=None, db_column_name="id", secret=False)


class JournalEntry(Table, tablename="journal_entry", schema=None):
    id = _pk()


class Service(Table, tablename="service", schema=None):
    id = _pk()


class Tag(Table, tablename="tag", schema=None):
    id = _pk()


def _fk(references):
    return ForeignKey, {"null": False, "primary_key": False, "unique": False, "index": True,
                        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
                        "references": references, "on_delete": OnDelete.cascade, "on_update": OnUpdate.cascade,
                        "target_column": None}


INDEXED = {
    ("JournalEntry", "journal_entry"): ("experiment", "team", "author", "reviewer", "happened_on", "updated_at"),
    ("JournalRevision", "journal_revision"): ("entry",),
    ("JournalReaction", "journal_reaction"): ("account",),
    ("JournalComment", "journal_comment"): ("account",),
    ("JournalRead", "journal_read"): ("account",),
    ("AuthorAccess", "author_access"): ("entry", "admin"),
    ("EntryOfMonth", "entry_of_month"): ("entry",),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="journal", description=DESCRIPTION)
    tables = {
        ("JournalEntryTag", "journal_entry_tags"): [("entry", *_fk(JournalEntry)), ("tag", *_fk(Tag))],
        ("JournalEntryService", "journal_entry_services"): [("entry", *_fk(JournalEntry)),
                                                           ("service", *_fk(Service))],
    }
    for (class_name, tablename), columns in tables.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class_name=column_class.__name__,
                               column_class=column_class, params=params, schema=None)
    for (table_class_name, tablename), columns in INDEXED.items():
        for column in columns:
            manager.alter_column(table_class_name=table_class_name, tablename=tablename, column_name=column,
                                 db_column_name=column, params={"index": True}, old_params={"index": False},
                                 schema=None)
    return manager
