"""The management review « Revue des apprentissages »: its filters (services, objective,
period and presets) and what its page, CSV files and JSON twin show.

Every signed-in agent reads it (transparency); it names no author. Callers open the
transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tal.core.errors import DomainError
from tal.i18n import N_
from tal.review import queries

PRESETS = {"3m": N_("3 derniers mois"), "ytd": N_("Depuis le 1er janvier"), "12m": N_("12 derniers mois")}
MAX_SERVICES = 30


def _months_back(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def preset(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if name == "3m":
        return _months_back(today, 3) + dt.timedelta(days=1), today
    if name == "ytd":
        return dt.date(today.year, 1, 1), today
    return _months_back(today, 12) + dt.timedelta(days=1), today


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _date(value: str, name: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(N_("date attendue au format AAAA-MM-JJ"), name) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError(N_("date hors des limites de la revue (de 1900 à 2199)"), name)
    return day


@dataclass
class Filters:
    """As the page's form and the API's query say them (French names: `du`, `au`,
    `periode`, `service` repeated, `objectif`)."""

    start: dt.date
    end: dt.date
    services: tuple[str, ...] = ()
    objective: str = ""
    period: str = ""

    @property
    def scope(self) -> queries.Scope:
        return queries.Scope(self.start, self.end, self.services, self.objective)

    def query(self) -> list[tuple[str, str]]:
        """The query string parameters that give these filters back (links, exports)."""
        items = [("du", self.start.isoformat()), ("au", self.end.isoformat())]
        items += [("service", s) for s in self.services]
        if self.objective:
            items.append(("objectif", self.objective))
        return items


def filters(*, start: str = "", end: str = "", period: str = "", services: list[str] | None = None,
            objective: str = "", today: dt.date) -> Filters:
    """The filters, checked as far as they can be without the database (`check` does the
    rest): a malformed date, an unknown preset, too many services or a period whose end
    precedes its start is refused, naming the field by its key. Nothing falls back silently."""
    names = tuple(dict.fromkeys(s.strip() for s in services or [] if s.strip()))
    if len(names) > MAX_SERVICES:
        raise DomainError(N_("trop de services choisis\u202f: 30 au plus"), "service")
    period = period.strip()
    if period and period not in PRESETS:
        raise DomainError(N_("période prédéfinie inconnue\u202f: 3m, ytd ou 12m"), "periode")
    begin, finish = _date(start, "du"), _date(end, "au")
    if begin is None and finish is None:
        period = period or "12m"
        begin, finish = preset(period, today)
    else:
        period = ""
        begin = begin or dt.date(1970, 1, 1)
        finish = finish or today
    if finish < begin:
        raise DomainError(N_("la fin de la période précède son début"), "au")
    return Filters(begin, finish, names, objective.strip(), period)


async def check(f: Filters) -> None:
    """The services and the objective of the filters exist (archived ones too: their past
    experiments stay reviewable); otherwise a 400 naming the field."""
    unknown = await queries.unknown_services(f.services)
    if unknown:
        raise DomainError(N_("service inconnu\u202f: %(name)s"), "service", {"name": unknown[0][:120]})
    if f.objective and not await queries.objective_exists(f.objective):
        raise DomainError(N_("objectif stratégique inconnu\u202f: %(name)s"), "objectif", {"name": f.objective[:200]})


@dataclass
class Review:
    filters: Filters
    today: dt.date
    figures: dict = field(default_factory=dict)
    digest: list[dict] = field(default_factory=list)


PAGE_ACTIONS = 50


async def review(f: Filters, today: dt.date, everything: bool = False) -> Review:
    """The figures; `everything` (exports): every open action item and learning card, else the first ones."""
    limit = queries.LIST_LIMIT if everything else PAGE_ACTIONS
    cards = queries.EXPORT_DIGEST_LIMIT if everything else queries.DIGEST_LIMIT
    return Review(f, today, await queries.figures(f.scope, today, limit), await queries.digest(f.scope, cards))
