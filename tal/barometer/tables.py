"""Barometer campaigns, the record of who answered, and the answers, kept apart.

Anonymous by construction: an `Answer` row holds its campaign, the respondent's
service and the item values, under a random UUID key: no account, no time, no
sequence. On SQLite the answer tables are created WITHOUT ROWID (see the migration),
so that rows are stored in the order of their random key, not of their arrival. Who
answered is in `Participation`, which holds no answer. Free texts are in a table of
their own, so that a text cannot be joined to the scores of the same person.
"""

from piccolo.columns import JSON, UUID, Boolean, Date, ForeignKey, Integer, SmallInt, Text, Varchar
from piccolo.table import Table

from tal.accounts.tables import Account

STATES = ("open", "closed")


class Campaign(Table):
    title = Varchar(length=200)
    opens_on = Date(index=True)
    closes_on = Date(null=True, default=None)
    state = Varchar(length=10, default="open", index=True)
    # "open" while open, else null: unique, so that at most one campaign is open, even under concurrency.
    open_slot = Varchar(length=4, null=True, default=None, unique=True)
    # The services surveyed (names); empty: every service.
    services = JSON(default=[])
    # Active accounts per surveyed service when the campaign closed: the response rate's denominator.
    population = JSON(default={})
    # Sample data made up for the demonstration.
    fictional = Boolean(default=False)
    version = Integer(default=1)


class Participation(Table):
    """That an account answered a campaign; nothing of what it answered."""

    campaign = ForeignKey(references=Campaign, index=True)
    account = ForeignKey(references=Account, index=True)
    key = Varchar(length=40, unique=True)  # "campaign:account": one answer each, even under concurrency


class Answer(Table):
    id = UUID(primary_key=True)
    campaign = ForeignKey(references=Campaign, index=True)
    service = Varchar(length=120)
    ps1 = SmallInt()
    ps2 = SmallInt()
    ps3 = SmallInt()
    ps4 = SmallInt()
    ps5 = SmallInt()
    ps6 = SmallInt()
    ps7 = SmallInt()
    who1 = SmallInt()
    who2 = SmallInt()
    who3 = SmallInt()
    who4 = SmallInt()
    who5 = SmallInt()
    dig1 = SmallInt()
    dig2 = SmallInt()
    dig3 = SmallInt()


class FreeText(Table):
    """The optional free text, apart from the scores."""

    id = UUID(primary_key=True)
    campaign = ForeignKey(references=Campaign, index=True)
    service = Varchar(length=120)
    body = Text()
