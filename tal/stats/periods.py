"""Period labels of series and panels, parsed and ordered as what they are.

Accepted: ISO 8601 periods ``YYYY`` (a year), ``YYYY-MM`` (a month), ``YYYY-Www``
(an ISO week, e.g. ``2026-W05``), ``YYYY-MM-DD`` (a day, or a ``date`` object),
and integers (``7``, ``"12"``). A year is an integer: « 2025 » and « 12 » are both
numbers. Every label of one series or panel, and its ``intervention_at``, must be of
one kind; anything else is refused with a French message (see ``PeriodError``).

Each label becomes an integer position on its own scale (months since year 0,
weeks since 0001-01-01, days, the number itself), so that periods sort in time
order and the gap between two periods is a whole number of periods.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

KINDS = ("number", "month", "week", "day")

_NUMBER = re.compile(r"^[+-]?\d{1,9}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
EXPECTED = "attendu : AAAA, AAAA-MM, AAAA-Www (semaine ISO, ex. 2026-W05), AAAA-MM-JJ ou un entier"


class PeriodError(ValueError):
    """A label that is not a period; ``index`` is its position (None for intervention_at)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def label(value) -> str:
    """The text form of a period label (``date`` → ISO 8601)."""
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


def parse(value) -> tuple[str, int]:
    """(kind, position) of one label; PeriodError when it is not a period."""
    if isinstance(value, bool):
        raise PeriodError(f"période « {value} » non reconnue ({EXPECTED})")
    if isinstance(value, int):
        return "number", value
    if isinstance(value, dt.datetime):
        raise PeriodError(f"période « {label(value)} » non reconnue : une date sans heure est attendue ({EXPECTED})")
    if isinstance(value, dt.date):
        return "day", value.toordinal()
    text = str(value).strip()
    if _NUMBER.match(text):
        return "number", int(text)
    try:
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise ValueError
            return "month", year * 12 + month - 1
        if m := _WEEK.match(text):
            return "week", dt.date.fromisocalendar(int(m[1]), int(m[2]), 1).toordinal() // 7
        if m := _DAY.match(text):
            return "day", dt.date(int(m[1]), int(m[2]), int(m[3])).toordinal()
    except ValueError:
        raise PeriodError(f"période « {text} » impossible (mois, semaine ou jour inexistant)") from None
    raise PeriodError(f"période « {text} » non reconnue ({EXPECTED})")


def positions(periods: Sequence, intervention_at=None) -> tuple[str, list[int], int | None]:
    """Parse a series' labels: (kind, positions, position of intervention_at).

    Raises PeriodError naming the first bad label (its ``index``) or a mix of kinds.
    """
    kind, out = None, []
    for i, value in enumerate(periods):
        try:
            k, pos = parse(value)
        except PeriodError as err:
            raise PeriodError(str(err), i) from None
        if kind is None:
            kind = k
        elif k != kind:
            raise PeriodError(
                f"période « {label(value)} » d'un autre type que « {label(periods[0])} » : "
                "toutes les périodes doivent être de la même forme", i)
        out.append(pos)
    target = None
    if intervention_at is not None:
        k, target = parse(intervention_at)
        if kind is not None and k != kind:
            raise PeriodError(f"intervention_at « {label(intervention_at)} » n'a pas la forme des périodes "
                              f"(« {label(periods[0])} »)")
    return kind or "number", out, target


def season(kind: str, position: int) -> tuple[float, int] | None:
    """(place in the yearly cycle, cycle length) of a period, None without a cycle."""
    if kind == "month":
        return float(position % 12), 12
    if kind == "week":  # position = ordinal of the week's Monday // 7
        return float(dt.date.fromordinal(position * 7 + 1).isocalendar()[1] - 1), 52
    return None
