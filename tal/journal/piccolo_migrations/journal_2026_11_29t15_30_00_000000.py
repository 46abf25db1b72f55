"""Co-authors of journal entries: the colleagues an author names read its drafts."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Account(Table, tablename="account", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class JournalEntry(Table, tablename="journal_entry", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


ID = "2026-11-29T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "journal co-authors"


def _params(**given):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _reference(table):
    return _params(references=table, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade, target_column=None,
                   index=True)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="journal", description=DESCRIPTION)
    manager.add_table(class_name="JournalCoauthor", tablename="journal_coauthor", schema=None, columns=None)
    columns = [
        ("entry", ForeignKey, _reference(JournalEntry)),
        ("account", ForeignKey, _reference(Account)),
        ("key", Varchar, _params(length=40, default="", unique=True)),
        ("at", Timestamptz, _params(default=TimestamptzNow())),
    ]
    for name, column_class, params in columns:
        manager.add_column(table_class_name="JournalCoauthor", tablename="journal_coauthor", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    return manager
