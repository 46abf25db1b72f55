import os

from piccolo.conf.apps import AppConfig

from tal.experiments.tables import Experiment, ExperimentEvent, ExperimentObjective, ExperimentService, Objective

APP_CONFIG = AppConfig(
    app_name="experiments",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Objective, Experiment, ExperimentEvent, ExperimentService, ExperimentObjective],
    migration_dependencies=["tal.accounts.piccolo_app"],
)
