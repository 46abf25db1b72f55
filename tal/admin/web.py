"""The audit log page and its CSV export, for admins only. There is no route to
change or delete an entry: entries leave the log only by retention (TAL_AUDIT_DAYS)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from tal import db
from tal.accounts import services as accounts
from tal.audit import services as audit
from tal.core.errors import DomainError, Forbidden
from tal.core.http import signed_in
from tal.core.templating import render
from tal.i18n import TIMEZONE, N_

ACTION_LABELS = {
    "account.sign_in": N_("Connexion"),
    "account.sign_in_failed": N_("Échec de connexion"),
    "account.lockout": N_("Blocage après des échecs de connexion"),
    "account.sign_out": N_("Déconnexion"),
    "account.create": N_("Création de compte"),
    "account.role": N_("Changement de rôle"),
    "account.password": N_("Changement de mot de passe"),
    "account.deactivate": N_("Désactivation de compte"),
}
CSV_COLUMNS = ["at", "action", "account", "account_id", "address", "target", "detail"]


def _admin(request: Request) -> None:
    if not signed_in(request).is_admin:
        raise Forbidden(N_("Seuls les administrateurs consultent le journal d'audit."))


def _day(value: str, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(N_("date attendue au format AAAA-MM-JJ"), field) from None


async def _filters(action: str, account: str, address: str, since: str, until: str) -> audit.Filters:
    start, end = _day(since, "since"), _day(until, "until")
    return audit.Filters(
        action=action.strip()[:audit.ACTION_MAX],
        account_ids=await accounts.ids_named(account) if account.strip() else None,
        address=address.strip()[:audit.ADDRESS_MAX],
        since=dt.datetime.combine(start, dt.time.min, TIMEZONE) if start else None,
        until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, TIMEZONE) if end else None,
    )


async def _named(rows: list[dict]) -> list[dict]:
    names = await accounts.usernames({r["account_id"] for r in rows if r["account_id"] is not None})
    for row in rows:
        row["account"] = names.get(row["account_id"], "") if row["account_id"] is not None else ""
    return rows


@get("/admin/journal-audit", name="audit_log")
async def audit_page(
    request: Request,
    action: FromQuery[str] = "",
    account: FromQuery[str] = "",
    address: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
    page: FromQuery[str] = "1",
) -> Template:
    _admin(request)
    number = int(page) if page.isdigit() and 0 < len(page) < 6 and int(page) > 0 else 1
    async with db.transaction(write=False):
        filters = await _filters(action, account, address, since, until)
        results = await audit.search(filters, number)
        await _named(results.items)
        known = await audit.actions()
    given = {"action": action, "account": account, "address": address, "since": since, "until": until}
    kept = urlencode({k: v[:200] for k, v in given.items() if v})
    return render(request, "admin/audit.html", results=results, filters=given, actions=known, kept=kept,
                  action_labels=ACTION_LABELS)


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@get("/admin/journal-audit.csv", name="audit_csv")
async def audit_csv(
    request: Request,
    action: FromQuery[str] = "",
    account: FromQuery[str] = "",
    address: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
) -> Response:
    _admin(request)
    async with db.transaction(write=False):
        rows = await _named(await audit.export(await _filters(action, account, address, since, until)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(v) for v in (
            row["at"].astimezone(dt.timezone.utc).isoformat(), row["action"], row["account"], row["account_id"],
            row["address"], row["target"], json.dumps(row["detail"], ensure_ascii=False, sort_keys=True))])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="journal-audit.csv"'})


ROUTES = [audit_page, audit_csv]
