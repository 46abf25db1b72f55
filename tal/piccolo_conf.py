"""The database engine: SQLite by default, PostgreSQL when TAL_DATABASE_URL says so."""

from piccolo.conf.apps import AppRegistry

from tal.db import make_engine
from tal.settings import get_settings

DB = make_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "tal.accounts.piccolo_app",
        "tal.experiments.piccolo_app",
        "tal.journal.piccolo_app",
        "tal.evaluation.piccolo_app",
        "tal.barometer.piccolo_app",
        "tal.audit.piccolo_app",
        "tal.committee.piccolo_app",
    ]
)
