"""Copy each snapshot's primary verdict onto its experiment's row (experiment.verdict,
added by the experiments' migration of the same name): "" for a snapshot without a
verdict; experiments without a snapshot keep null. Later snapshots write it themselves."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T19:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "review speed: fill experiment.verdict from the snapshots"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="evaluation", description=DESCRIPTION)

    async def backfill():
        from tal.evaluation.tables import Snapshot

        await Snapshot.raw(
            "UPDATE experiment SET verdict = (SELECT COALESCE(snapshot.verdict, '') FROM snapshot "
            "WHERE snapshot.experiment = experiment.id) WHERE id IN (SELECT experiment FROM snapshot)")

    manager.add_raw(backfill)
    return manager
