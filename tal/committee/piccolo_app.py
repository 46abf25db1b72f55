import os

from piccolo.conf.apps import AppConfig

from tal.committee.tables import CommitteeSession, FollowUp, Proposal

APP_CONFIG = AppConfig(
    app_name="committee",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[CommitteeSession, Proposal, FollowUp],
    migration_dependencies=["tal.accounts.piccolo_app", "tal.experiments.piccolo_app"],
)
