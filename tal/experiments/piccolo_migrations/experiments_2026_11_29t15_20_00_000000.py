"""Services and objectives of an experiment as related rows (experiment_services,
experiment_objectives: plural, as Piccolo names the index of experiment.service
"experiment_service"), and an index on every foreign key and sorted column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-29T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "experiment services and objectives as rows, indexes"


def _pk():
    return Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                  choices=None, db_column_name="id", secret=False)


class Experiment(Table, tablename="experiment", schema=None):
    id = _pk()


class Service(Table, tablename="service", schema=None):
    id = _pk()


class Objective(Table, tablename="objective", schema=None):
    id = _pk()


def _params(**given):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _fk(references):
    return ForeignKey, _params(references=references, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade,
                               target_column=None, index=True)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experiments", description=DESCRIPTION)
    tables = {
        ("ExperimentService", "experiment_services"): [("experiment", *_fk(Experiment)), ("service", *_fk(Service)),
                                                      ("owner", Boolean, _params(default=False))],
        ("ExperimentObjective", "experiment_objectives"): [("experiment", *_fk(Experiment)),
                                                          ("objective", *_fk(Objective))],
    }
    for (class_name, tablename), columns in tables.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class_name=column_class.__name__,
                               column_class=column_class, params=params, schema=None)
    for table_class_name, tablename, column in (("Experiment", "experiment", "service"),
                                                ("Experiment", "experiment", "updated_at"),
                                                ("ExperimentEvent", "experiment_event", "account")):
        manager.alter_column(table_class_name=table_class_name, tablename=tablename, column_name=column,
                             db_column_name=column, params={"index": True}, old_params={"index": False}, schema=None)
    return manager
