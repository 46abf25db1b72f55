"""What the barometer's forms accept: a campaign to open, an answer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from tal.experiments.schemas import Label, Name

Agree7 = Annotated[int, Meta(ge=1, le=7)]
Who = Annotated[int, Meta(ge=0, le=5)]
Agree5 = Annotated[int, Meta(ge=1, le=5)]
MAX_FREE = 2000


class CampaignInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Label
    services: Annotated[list[Name], Meta(max_length=200)] = []
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None


class AnswerInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    ps1: Agree7
    ps2: Agree7
    ps3: Agree7
    ps4: Agree7
    ps5: Agree7
    ps6: Agree7
    ps7: Agree7
    who1: Who
    who2: Who
    who3: Who
    who4: Who
    who5: Who
    dig1: Agree5
    dig2: Agree5
    dig3: Agree5
    free: Annotated[str, Meta(max_length=MAX_FREE)] = ""
