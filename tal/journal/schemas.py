"""What the journal's forms and API accept."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from tal.experiments.schemas import Label, Name, Text

Tag = Annotated[str, Meta(min_length=1, max_length=40)]


class EntryInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Label
    happened_on: dt.date
    what_happened: Annotated[str, Meta(min_length=1, max_length=5000)]
    what_we_expected: Text = ""
    contributing_factors: Text = ""
    what_went_well: Text = ""
    what_we_learned: Text = ""
    what_we_change: Text = ""
    tags: Annotated[list[Tag], Meta(max_length=20)] = []
    services: Annotated[list[Name], Meta(max_length=30)] = []
    signed: bool = False
    experiment: str | None = None
    iteration: Annotated[int, Meta(ge=1, le=1000)] | None = None


class ActionInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    description: Annotated[str, Meta(min_length=1, max_length=500)]
    owner_role: Annotated[str, Meta(min_length=1, max_length=120)]
    due_on: dt.date
