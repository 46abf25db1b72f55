import os

from piccolo.conf.apps import AppConfig

from tal.accounts.tables import Account, ApiToken, LoginThrottle, PasswordReset, Service

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Service, Account, LoginThrottle, ApiToken, PasswordReset],
)
