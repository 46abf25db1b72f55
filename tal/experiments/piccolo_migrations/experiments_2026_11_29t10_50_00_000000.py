"""The `intervention` key of an experiment, indexed: experiments sharing it are
replications of one intervention (pooled on the intervention page)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T10:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "experiment.intervention"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Experiment",
        tablename="experiment",
        column_name="intervention",
        db_column_name="intervention",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 80,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
