"""ProConnect: one account per subject (a unique index, since SQLite cannot add a
UNIQUE column; raw steps run before a migration's other steps, hence a migration of
its own). NULLs stay allowed, on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T16:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique oidc subject"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def unique_subject():
        from tal.accounts.tables import Account

        await Account.raw("CREATE UNIQUE INDEX IF NOT EXISTS account_oidc_subject_unique ON account (oidc_subject)")

    manager.add_raw(unique_subject)
    return manager
