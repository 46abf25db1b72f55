"""Languages: French (source and default) and English, through gettext catalogues.

Message ids are the French texts. `tal/locales/<lang>/LC_MESSAGES/messages.po` are
read with Babel at first use (no compiled .mo to keep in sync). The language is
chosen per request and passed in the template context: translations are never
installed globally (one Jinja environment serves every request).
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
LOCALES = Path(__file__).parent / "locales"
TIMEZONE = ZoneInfo("Europe/Paris")


def N_(message: str) -> str:
    """Mark a message for extraction; translated later, at render time."""
    return message


def catalogue_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    path = catalogue_path(lang)
    if lang not in LANGUAGES or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as f:
        catalogue = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def pick(requested: str | None, accept_language: str = "") -> str:
    """The language to use: the one asked for, else the browser's, else French."""
    if requested in LANGUAGES:
        return requested
    for part in accept_language.split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT


def format_date(value: dt.date | dt.datetime | str | None, lang: str, fmt: str = "long") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.astimezone(TIMEZONE).date() if value.tzinfo else value.date()
    return dates.format_date(value, format=fmt, locale=lang)


def format_datetime(value: dt.datetime | str | None, lang: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(TIMEZONE)
    return dates.format_datetime(value, format="d MMMM y, HH:mm" if lang == "fr" else "MMMM d, y, HH:mm", locale=lang)


def format_number(value: float | int | None, lang: str, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return numbers.format_decimal(value, locale=lang)
    return numbers.format_decimal(value, format="#,##0." + "#" * digits, locale=lang)
