"""An experiment is stored as its document plus the columns needed to find it.

`document` holds the experiment as a `tal-experiment/1` document (JSON, without
its journal entries, which live in the journal). The other columns are derived
from it on every write, to filter, search and sort in SQL.
"""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tal.accounts.tables import Account, Service


class Objective(Table):
    """A strategic objective of the collectivité."""

    title = Varchar(length=200, unique=True, index=True)
    # An archived objective stays on past experiments but is no longer offered.
    archived = Boolean(default=False, index=True)


class Experiment(Table):
    slug = Varchar(length=80, unique=True, index=True)
    title = Varchar(length=200)
    service = ForeignKey(references=Service, index=True)
    design = Varchar(length=20, index=True)
    status = Varchar(length=20, index=True)
    visibility = Varchar(length=10, index=True)
    document = JSON()
    registered_at = Timestamptz(null=True, default=None)
    registration_hash = Varchar(length=64, null=True, default=None)
    plan_hash = Varchar(length=64)
    # The `intervention` key of the document: experiments sharing it are replications.
    intervention = Varchar(length=80, null=True, default=None, index=True)
    # Lower-case, accent-free text of titles, hypotheses and learnings.
    search_text = Text(default="")
    # [{"status": "registered", "at": "2026-02-20T09:30:00+01:00"}, …]
    status_history = JSON(default=[])
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)
    version = Integer(default=1)
    # Derived for the management review (tal/review), counted in SQL without reading documents:
    # learning cards written, amendments, the end of the first iteration with data (first
    # verdict), the current decision's date and outcome. Compound indexes cover the review's
    # queries (migration experiments_…_review_speed): (registered_at, status, amendments…),
    # (first_verdict_on, status, verdict, learning_cards, days_to_first_verdict), (decided_on,
    # decision_outcome, days_to_decision).
    learning_cards = Integer(default=0)
    amendments_major = Integer(default=0)
    amendments_minor = Integer(default=0)
    first_verdict_on = Date(null=True, default=None, index=True)
    decided_on = Date(null=True, default=None, index=True)
    decision_outcome = Varchar(length=10, null=True, default=None, index=True)
    # The primary verdict of the evaluation snapshot (written with the snapshot, by
    # tal/evaluation): "" when the snapshot has none, null when there is no snapshot yet.
    verdict = Varchar(length=24, null=True, default=None)
    # Days from the registration's Paris date to the first verdict and to the decision.
    days_to_first_verdict = Integer(null=True, default=None)
    days_to_decision = Integer(null=True, default=None)


class ExperimentService(Table, tablename="experiment_services"):
    """The owning service (`owner`) and the partner services of an experiment, one row
    each, derived from its document on every write: the register filters by service with
    `Experiment.id.is_in(ExperimentService.select(ExperimentService.experiment)
    .where(ExperimentService.service == id))`."""

    experiment = ForeignKey(references=Experiment, index=True)
    service = ForeignKey(references=Service, index=True)
    owner = Boolean(default=False)


class ExperimentObjective(Table, tablename="experiment_objectives"):
    """The strategic objectives an experiment serves, one row each (from its document)."""

    experiment = ForeignKey(references=Experiment, index=True)
    objective = ForeignKey(references=Objective, index=True)


class ExperimentEvent(Table):
    """A change to recorded evidence, kept apart from the document: where each
    amendment came from, and each correction of frozen results (who, why, before and
    after). Rows are only ever added."""

    experiment = ForeignKey(references=Experiment, index=True)
    at = Timestamptz(default=TimestamptzNow())
    # "amendment" (detail: {"index": rank in the document's amendments, from 0})
    # or "correction" (detail: {"iteration", "reason", "changes": [{"field", "before", "after"}]}).
    kind = Varchar(length=20)
    # "form", "api" or "file".
    source = Varchar(length=10)
    account = ForeignKey(references=Account, null=True, index=True)
    detail = JSON(default={})
