"""ProConnect: the provider's subject of an account, and password sign-in per account."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "oidc subject, password sign-in switch"


def _params(**given):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_column(table_class_name="Account", tablename="account", column_name="oidc_subject",
                       db_column_name="oidc_subject", column_class_name="Varchar", column_class=Varchar,
                       params=_params(length=255, default=None, null=True), schema=None)
    manager.add_column(table_class_name="Account", tablename="account", column_name="password_sign_in",
                       db_column_name="password_sign_in", column_class_name="Boolean", column_class=Boolean,
                       params=_params(default=True), schema=None)
    return manager
