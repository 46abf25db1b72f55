"""Administration: archived services, one-time password reset links."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Account(Table, tablename="account", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


ID = "2026-11-29T15:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "archived services, password reset links"


def _params(**given):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_column(table_class_name="Service", tablename="service", column_name="archived",
                       db_column_name="archived", column_class_name="Boolean", column_class=Boolean,
                       params=_params(default=False, index=True), schema=None)
    manager.add_table(class_name="PasswordReset", tablename="password_reset", schema=None, columns=None)
    columns = [
        ("account", ForeignKey, _params(references=Account, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade,
                                        target_column=None, index=True)),
        ("token_hash", Varchar, _params(length=64, default="", unique=True, index=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("expires_at", Timestamptz, _params(default=TimestamptzNow())),
        ("used_at", Timestamptz, _params(default=None, null=True)),
    ]
    for name, column_class, params in columns:
        manager.add_column(table_class_name="PasswordReset", tablename="password_reset", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    return manager
