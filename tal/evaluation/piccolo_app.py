import os

from piccolo.conf.apps import AppConfig

from tal.evaluation.tables import Snapshot

APP_CONFIG = AppConfig(
    app_name="evaluation",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Snapshot],
    migration_dependencies=["tal.experiments.piccolo_app"],
)
