"""The review's speed (issue 9), on the experiment row: the evaluation snapshot's verdict
(filled for the rows already stored by the evaluation's migration of the same name,
which runs after this one) and the days from registration to the first verdict and to
the decision (filled by the next migration, with the indexes: Piccolo runs a
migration's raw steps before its new columns)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "review speed: experiment.verdict, days_to_first_verdict, days_to_decision"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)
    manager.add_column(table_class_name="Experiment", tablename="experiment", column_name="verdict",
                       db_column_name="verdict", column_class_name="Varchar", column_class=Varchar,
                       params={"length": 24, "default": None, "null": True, "primary_key": False, "unique": False,
                               "index": False, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False}, schema=None)
    manager.add_column(table_class_name="Experiment", tablename="experiment", column_name="days_to_first_verdict",
                       db_column_name="days_to_first_verdict", column_class_name="Integer", column_class=Integer,
                       params={"default": None, "null": True, "primary_key": False, "unique": False,
                               "index": False, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False}, schema=None)
    manager.add_column(table_class_name="Experiment", tablename="experiment", column_name="days_to_decision",
                       db_column_name="days_to_decision", column_class_name="Integer", column_class=Integer,
                       params={"default": None, "null": True, "primary_key": False, "unique": False,
                               "index": False, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False}, schema=None)
    return manager
