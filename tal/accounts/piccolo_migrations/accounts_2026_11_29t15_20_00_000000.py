"""An index on every foreign key: the service of an account."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes on foreign keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.alter_column(table_class_name="Account", tablename="account", column_name="service",
                         db_column_name="service", params={"index": True}, old_params={"index": False}, schema=None)
    return manager
