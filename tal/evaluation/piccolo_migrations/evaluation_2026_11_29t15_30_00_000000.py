"""Fill the primary verdict of the snapshots already stored (the review counts it)."""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Backfill snapshot.verdict"


def _verdict(result) -> str | None:
    for iteration in reversed((result or {}).get("iterations") or []):
        for comparison in iteration.get("comparisons") or []:
            if comparison.get("role") == "primary" and comparison.get("verdict"):
                return comparison["verdict"]
    return None


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="evaluation", description=DESCRIPTION)

    async def backfill():
        from tal.evaluation.tables import Snapshot

        for row in await Snapshot.raw("SELECT id, result FROM snapshot WHERE result IS NOT NULL"):
            result = row["result"]
            result = json.loads(result) if isinstance(result, (str, bytes)) else result
            verdict = _verdict(result)
            if verdict:
                await Snapshot.raw("UPDATE snapshot SET verdict = {} WHERE id = {}", verdict, row["id"])

    manager.add_raw(backfill)
    return manager
