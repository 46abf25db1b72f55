"""An index on every foreign key and sorted column: who answered, campaigns by opening date."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes on foreign keys and sorted columns"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="barometer", description=DESCRIPTION)
    for table_class_name, tablename, column in (("Participation", "participation", "account"),
                                                ("Campaign", "campaign", "opens_on")):
        manager.alter_column(table_class_name=table_class_name, tablename=tablename, column_name=column,
                             db_column_name=column, params={"index": True}, old_params={"index": False}, schema=None)
    return manager
