"""Blameless journal entries, alone or tied to an experiment."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar, Date
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tal.experiments.tables import Experiment


class JournalEntry(Table):
    experiment = ForeignKey(references=Experiment, null=True)
    position = Integer(default=0)
    title = Varchar(length=200)
    happened_on = Date()
    what_happened = Text()
    what_we_expected = Text(default="")
    contributing_factors = Text(default="")
    what_went_well = Text(default="")
    what_we_learned = Text(default="")
    what_we_change = Text(default="")
    published = Boolean(default=False)
    tags = JSON(default=[])
    created_at = Timestamptz(default=TimestamptzNow())
