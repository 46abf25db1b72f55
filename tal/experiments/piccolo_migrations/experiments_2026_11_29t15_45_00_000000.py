"""Archived strategic objectives: kept on past experiments, no longer offered."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T15:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "archived objectives"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)
    manager.add_column(table_class_name="Objective", tablename="objective", column_name="archived",
                       db_column_name="archived", column_class_name="Boolean", column_class=Boolean,
                       params={"default": False, "null": False, "primary_key": False, "unique": False, "index": True,
                               "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
                               "secret": False}, schema=None)
    return manager
