"""`tal barometer open TITLE [--services NAME…] [--closes YYYY-MM-DD]` and `tal barometer close ID`."""

from __future__ import annotations

import argparse
import datetime as dt

from tal import db
from tal.barometer import services
from tal.barometer.schemas import CampaignInput
from tal.core.errors import DomainError
from tal.core.validation import convert
from tal.i18n import N_


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(N_("date attendue au format AAAA-MM-JJ"), name) from None


async def barometer_command(args: argparse.Namespace) -> str:
    await db.migrate()
    if args.barometer_command == "open":
        data: dict = {"title": args.title.strip(), "services": args.services}
        if args.closes is not None:
            data["closes_on"] = _date(args.closes, "--closes")
        campaign = convert(data, CampaignInput)
        async with db.transaction():
            return str(await services.open_campaign(campaign))
    if not args.campaign_id.isdigit() or len(args.campaign_id) > 10:
        raise DomainError(N_("numéro de campagne attendu (un entier)"), "ID")
    async with db.transaction():
        await services.close_campaign(int(args.campaign_id), None)
    return f"Campagne {args.campaign_id} clôturée."
