"""A snapshot of an experiment's evaluation, recomputed when its inputs change."""

from piccolo.columns import JSON, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tal.experiments.tables import Experiment


class Snapshot(Table):
    experiment = ForeignKey(references=Experiment, unique=True, index=True)
    # SHA-256 of the inputs (plan and data) and of the engine versions.
    inputs_hash = Varchar(length=64)
    engine = JSON()
    computed_at = Timestamptz(default=TimestamptzNow())
    # The evaluation JSON of DESIGN.md, or null when the engine refused the data.
    result = JSON(null=True, default=None)
    # Why there is no result (French), when the engine refused the data.
    error = Text(null=True, default=None)
    # The primary verdict of the last iteration with comparisons (tal/review counts it in SQL).
    verdict = Varchar(length=24, null=True, default=None, index=True)
