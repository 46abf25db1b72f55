"""The review's speed (issue 9): the evaluation snapshot's verdict kept on the experiment
row, filled for the rows already stored by the evaluation's migration of the same
name (which runs after this one); its indexes come with the next migration (Piccolo
runs a migration's raw steps before its new columns)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "review speed: experiment.verdict"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)
    manager.add_column(table_class_name="Experiment", tablename="experiment", column_name="verdict",
                       db_column_name="verdict", column_class_name="Varchar", column_class=Varchar,
                       params={"length": 24, "default": None, "null": True, "primary_key": False, "unique": False,
                               "index": False, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False}, schema=None)
    return manager
