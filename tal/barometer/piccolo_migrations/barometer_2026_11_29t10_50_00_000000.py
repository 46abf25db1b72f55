"""On SQLite, the answer tables are rebuilt WITHOUT ROWID: rows are then stored in the
order of their random UUID key, so that nothing reveals the order of arrival."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T10:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Barometer answers stored without rowid on SQLite"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="barometer", description=DESCRIPTION)

    async def without_rowid():
        """Rebuild the (empty) answer tables WITHOUT ROWID, with their indexes."""
        from piccolo.engine.sqlite import SQLiteEngine

        from tal.barometer.tables import Answer

        engine = Answer._meta.db
        if not isinstance(engine, SQLiteEngine):
            return
        for table in ("answer", "free_text"):
            rows = await engine.run_ddl(
                f"SELECT type, sql FROM sqlite_master WHERE tbl_name = '{table}' AND sql IS NOT NULL")
            create = next(r["sql"] for r in rows if r["type"] == "table")
            indexes = [r["sql"] for r in rows if r["type"] == "index"]
            await engine.run_ddl(f"DROP TABLE {table}")
            await engine.run_ddl(create + " WITHOUT ROWID")
            for sql in indexes:
                await engine.run_ddl(sql)

    manager.add_raw(without_rowid)

    return manager
