"""The transversal committee: its sessions, the proposals put on their agendas, and the
follow-up of what it decided to scale or spread.

The decision itself lives on the experiment (its document's `[decision]`, written by
`tal.experiments.services`); these tables say when, by whom and at which session it
was taken, and what became of it in each target service.
"""

from piccolo.columns import JSON, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tal.accounts.tables import Account, Service
from tal.experiments.tables import Experiment

PROPOSAL_STATES = ("proposed", "scheduled", "decided", "withdrawn")
FOLLOW_UP_STATES = ("open", "adopted", "not_adopted")


class CommitteeSession(Table):
    held_on = Date(index=True)
    title = Varchar(length=200)
    # Names of the members present, in the order given.
    members_present = JSON(default=[])
    notes = Text(default="")
    created_by = ForeignKey(references=Account, null=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Proposal(Table):
    """A concluded experiment proposed for a decision, with its short case."""

    experiment = ForeignKey(references=Experiment, index=True)
    proposed_by = ForeignKey(references=Account, null=True, index=True)
    cost = Text(default="")
    effort = Text(default="")
    beneficiaries = Text(default="")
    risks = Text(default="")
    state = Varchar(length=12, default="proposed", index=True)
    session = ForeignKey(references=CommitteeSession, null=True, index=True)
    # The outcome decided at the session (scale, spread, iterate, stop).
    outcome = Varchar(length=10, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    version = Integer(default=1)


class FollowUp(Table):
    """Whether a target service adopted what the committee decided to scale or spread."""

    experiment = ForeignKey(references=Experiment, index=True)
    service = ForeignKey(references=Service, index=True)
    session = ForeignKey(references=CommitteeSession, null=True, index=True)
    outcome = Varchar(length=10)
    decided_on = Date(index=True)
    state = Varchar(length=12, default="open", index=True)
    adopted_on = Date(null=True, default=None)
    follow_up = ForeignKey(references=Experiment, null=True, index=True)
    note = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
