import os

from piccolo.conf.apps import AppConfig

from tal.barometer.tables import Answer, Campaign, FreeText, Participation

APP_CONFIG = AppConfig(
    app_name="barometer",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Campaign, Participation, Answer, FreeText],
    migration_dependencies=["tal.accounts.piccolo_app"],
)
