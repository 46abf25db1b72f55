"""The experiment document: the `tal-experiment/1` file format as msgspec structs.

One document describes one experiment completely. The same structs check a file
being loaded, a form being saved and an API call, so that the three obey the same
rules. Shape checks (types, required and unknown keys, lengths, patterns) live
here; rules that relate several values (shares summing to 1, a result naming a
metric that exists…) live in `rules.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

FORMAT = "tal-experiment/1"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
KEY_PATTERN = r"^[a-z0-9]+([_-][a-z0-9]+)*$"

Slug = Annotated[str, Meta(min_length=1, max_length=80, pattern=SLUG_PATTERN)]
Key = Annotated[str, Meta(min_length=1, max_length=40, pattern=KEY_PATTERN)]
Label = Annotated[str, Meta(min_length=1, max_length=200)]
Name = Annotated[str, Meta(min_length=1, max_length=120)]
Text = Annotated[str, Meta(max_length=5000)]
LongText = Annotated[str, Meta(max_length=20000)]
Count = Annotated[int, Meta(ge=0, le=10**12)]
Positive = Annotated[float, Meta(gt=0)]
Probability = Annotated[float, Meta(gt=0, lt=1)]
# ISO period text or an integer, parsed by tal.stats.periods (rules.py)
PeriodLabel = Annotated[str, Meta(min_length=1, max_length=40)] | Annotated[int, Meta(ge=-(10**9), le=10**9)]

Design = Literal["randomized", "before_after", "comparison_group"]
Status = Literal["draft", "registered", "running", "concluded", "decided", "abandoned"]
Visibility = Literal["internal", "public"]
Kind = Literal["binary", "mean", "rate", "ordinal"]
Role = Literal["primary", "secondary", "guardrail"]
Direction = Literal["increase", "decrease"]
Outcome = Literal["scale", "spread", "iterate", "stop"]

DESIGNS: tuple[str, ...] = Design.__args__  # type: ignore[attr-defined]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]


class Strict(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    """Unknown keys are errors: a typo must not silently drop data."""


class Header(Strict, kw_only=True):
    slug: Slug
    title: Label
    service: Name
    partner_services: Annotated[list[Name], Meta(max_length=30)] = []
    objectives: Annotated[list[Label], Meta(max_length=20)] = []
    design: Design
    status: Status = "draft"
    visibility: Visibility = "internal"
    summary: LongText = ""
    registered_at: dt.datetime | None = None
    # Experiments sharing this key replicate one intervention (pooled together).
    # (Its slug-like pattern is checked in rules.py, with a message that shows an example.)
    intervention: Annotated[str, Meta(min_length=1, max_length=80)] | None = None


class Hypothesis(Strict, kw_only=True):
    key: Key
    we_believe: Text
    to_verify_we_will: Text
    we_will_measure: Text
    we_are_right_if: Text


class Metric(Strict, kw_only=True):
    key: Key
    hypothesis: Key
    label: Label
    kind: Kind
    role: Role = "primary"
    direction: Direction
    mde: Positive
    alpha: Probability = 0.05
    power: Probability = 0.8
    baseline: float | None = None
    baseline_sd: Positive | None = None
    levels: Annotated[list[Label], Meta(max_length=20)] | None = None


class Arm(Strict, kw_only=True):
    key: Key
    label: Label
    control: bool = False
    share: Annotated[float, Meta(gt=0, le=1)] | None = None


class Result(Strict, kw_only=True):
    metric: Key
    arm: Key
    n: Count | None = None
    successes: Count | None = None
    mean: float | None = None
    sd: Annotated[float, Meta(ge=0)] | None = None
    events: Count | None = None
    exposure: Positive | None = None
    counts: Annotated[list[Count], Meta(max_length=20)] | None = None


class Series(Strict, kw_only=True):
    metric: Key
    periods: Annotated[list[PeriodLabel], Meta(max_length=2000)]
    values: Annotated[list[float], Meta(max_length=2000)]
    intervention_at: PeriodLabel
    hac_maxlags: Annotated[int, Meta(ge=0, le=100)] | None = None  # accepted, unused since issue 10
    exposure: Annotated[list[Positive], Meta(max_length=2000)] | None = None  # rate metrics: values are counts


class Panel(Strict, kw_only=True):
    metric: Key
    intervention_at: PeriodLabel
    treated_units: Annotated[list[Label], Meta(min_length=1, max_length=500)]
    units: Annotated[list[Label], Meta(max_length=100000)]
    periods: Annotated[list[PeriodLabel], Meta(max_length=100000)]
    values: Annotated[list[float], Meta(max_length=100000)]


class Learning(Strict, kw_only=True):
    we_believed: Text = ""
    we_observed: Text = ""
    we_learned: Text = ""
    therefore_we_will: Text = ""


class Iteration(Strict, kw_only=True):
    number: Annotated[int, Meta(ge=1, le=1000)]
    started_on: dt.date
    ended_on: dt.date | None = None
    change: Text = ""
    results: Annotated[list[Result], Meta(max_length=2000)] = []
    series: Annotated[list[Series], Meta(max_length=50)] = []
    panel: Annotated[list[Panel], Meta(max_length=50)] = []
    learning: Learning | None = None


class Amendment(Strict, kw_only=True):
    at: dt.datetime
    major: bool
    reason: Text
    change: Text


class JournalEntry(Strict, kw_only=True):
    title: Label
    happened_on: dt.date
    what_happened: Text
    what_we_expected: Text = ""
    contributing_factors: Text = ""
    what_went_well: Text = ""
    what_we_learned: Text = ""
    what_we_change: Text = ""
    published: bool = False
    tags: Annotated[list[Annotated[str, Meta(min_length=1, max_length=40)]], Meta(max_length=20)] = []


class Decision(Strict, kw_only=True):
    outcome: Outcome
    decided_on: dt.date
    rationale: Text
    target_services: Annotated[list[Name], Meta(max_length=30)] = []
    # The committee members present when it was taken (committee sessions).
    members_present: Annotated[list[Name], Meta(max_length=40)] = []


class ExperimentFile(Strict, kw_only=True):
    """A whole `tal-experiment/1` file."""

    format: Literal["tal-experiment/1"]
    experiment: Header
    hypotheses: Annotated[list[Hypothesis], Meta(max_length=20)] = []
    metrics: Annotated[list[Metric], Meta(max_length=50)] = []
    arms: Annotated[list[Arm], Meta(max_length=20)] = []
    iterations: Annotated[list[Iteration], Meta(max_length=200)] = []
    amendments: Annotated[list[Amendment], Meta(max_length=500)] = []
    journal: Annotated[list[JournalEntry], Meta(max_length=200)] = []
    decision: Decision | None = None
    # Earlier decisions, superseded by `decision` (oldest first): never rewritten.
    decisions: Annotated[list[Decision], Meta(max_length=100)] = []


def plan_of(doc: ExperimentFile) -> dict:
    """The pre-registered plan: what registration locks and the hash covers.

    Hypotheses, metrics (with their decision rule: direction, mde, alpha, power),
    arms and the design. Defaults are written out, so that the hash does not depend
    on whether a file spelled them.
    """
    return {
        "format": "tal-plan/1",
        "slug": doc.experiment.slug,
        "design": doc.experiment.design,
        "hypotheses": [msgspec.to_builtins(h) for h in doc.hypotheses],
        "metrics": [
            {f: getattr(m, f) for f in m.__struct_fields__} for m in doc.metrics
        ],
        "arms": [{f: getattr(a, f) for f in a.__struct_fields__} for a in doc.arms],
    }
