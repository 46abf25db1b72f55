"""The journal « erreurs et apprentissages »: entries, their actions, history,
reactions, comments and reads.

An entry belongs to a team (a service) and, when written in TAL, to its author;
`signed` says whether the author's name is shown to agents (never to the public).
States: draft (its author and the co-authors the author names only), published
(every agent), withdrawn (a stub with its reason). `public` makes a published entry visible to citizens too.
"""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tal.accounts.tables import Account, Service
from tal.experiments.tables import Experiment

STATES = ("draft", "published", "withdrawn")
REACTIONS = ("merci", "utile", "aussi")


class Tag(Table):
    """The journal's shared vocabulary of tags (« prestataire », « outil »…). One tag
    per name whatever its case: a unique index on lower(name) too (migration
    journal_2026_11_29t20_00_00_000000_imports_tag_ci; Piccolo cannot declare it here)."""

    name = Varchar(length=40, unique=True, index=True)


class JournalEntry(Table):
    experiment = ForeignKey(references=Experiment, null=True, index=True)
    iteration = Integer(null=True, default=None)
    # Rank among the entries of its experiment's file, to load and export in order.
    position = Integer(default=0)
    team = ForeignKey(references=Service, null=True, index=True)
    author = ForeignKey(references=Account, null=True, index=True)
    signed = Boolean(default=False)
    title = Varchar(length=200)
    happened_on = Date(index=True)
    what_happened = Text()
    what_we_expected = Text(default="")
    contributing_factors = Text(default="")
    what_went_well = Text(default="")
    what_we_learned = Text(default="")
    what_we_change = Text(default="")
    tags = JSON(default=[])
    services = JSON(default=[])
    state = Varchar(length=12, default="draft", index=True)
    public = Boolean(default=False, index=True)
    reviewer = ForeignKey(references=Account, null=True, index=True)
    withdrawn_reason = Text(null=True, default=None)
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None, index=True)
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)
    version = Integer(default=1)


class JournalEntryTag(Table, tablename="journal_entry_tags"):
    """A tag of an entry, one row each (from `tags`), to filter by tag. A withdrawn
    entry has none: it no longer matches a filter."""

    entry = ForeignKey(references=JournalEntry, index=True)
    tag = ForeignKey(references=Tag, index=True)


class JournalEntryService(Table, tablename="journal_entry_services"):
    """A service an entry concerns: its team and the services it names (`services`),
    one row each, to filter by service. A withdrawn entry has none."""

    entry = ForeignKey(references=JournalEntry, index=True)
    service = ForeignKey(references=Service, index=True)


class JournalRevision(Table):
    """The content of an entry before an edit made after publication."""

    entry = ForeignKey(references=JournalEntry, index=True)
    at = Timestamptz(default=TimestamptzNow())
    content = JSON()


class JournalCoauthor(Table):
    """A colleague the author named on an entry: reads it while it is a draft."""

    entry = ForeignKey(references=JournalEntry, index=True)
    account = ForeignKey(references=Account, index=True)
    key = Varchar(length=40, unique=True)  # "entry:account"
    at = Timestamptz(default=TimestamptzNow())


class JournalAction(Table):
    entry = ForeignKey(references=JournalEntry, index=True)
    description = Varchar(length=500)
    owner_role = Varchar(length=120)
    due_on = Date()
    done_at = Timestamptz(null=True, default=None)


class JournalReaction(Table):
    entry = ForeignKey(references=JournalEntry, index=True)
    account = ForeignKey(references=Account, index=True)
    kind = Varchar(length=12)
    # "entry:account:kind": one reaction of each kind per person, even under concurrency.
    key = Varchar(length=60, unique=True)
    at = Timestamptz(default=TimestamptzNow())


class JournalComment(Table):
    entry = ForeignKey(references=JournalEntry, index=True)
    account = ForeignKey(references=Account, index=True)
    body = Text()
    at = Timestamptz(default=TimestamptzNow())


class JournalRead(Table):
    entry = ForeignKey(references=JournalEntry, index=True)
    account = ForeignKey(references=Account, index=True)
    key = Varchar(length=40, unique=True)  # "entry:account"
    at = Timestamptz(default=TimestamptzNow())


class AuthorAccess(Table):
    """An admin saw who wrote an anonymous entry (moderation): kept and shown."""

    entry = ForeignKey(references=JournalEntry, index=True)
    admin = ForeignKey(references=Account, index=True)
    at = Timestamptz(default=TimestamptzNow())


class EntryOfMonth(Table):
    month = Varchar(length=7, unique=True)  # YYYY-MM
    entry = ForeignKey(references=JournalEntry, index=True)
    chosen_at = Timestamptz(default=TimestamptzNow())
