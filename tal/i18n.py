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
    return _first(dates.format_date(value, format=fmt, locale=lang), value, lang)


def _first(text: str, day: dt.date, lang: str) -> str:
    """« 1er mars 2026 », not « 1 mars 2026 », in French."""
    return "1er" + text[1:] if lang == "fr" and day.day == 1 and text.startswith("1 ") else text


def format_datetime(value: dt.datetime | str | None, lang: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(TIMEZONE)
    text = dates.format_datetime(value, format="d MMMM y, HH:mm" if lang == "fr" else "MMMM d, y, HH:mm", locale=lang)
    return _first(text, value.date(), lang)


def format_period(value: object, lang: str, short: bool = False) -> str:
    """An ISO period in words: « novembre 2026 » (« nov. 2026 » when short), « 2 mars
    2026 », « semaine 5 de 2026 »; a year or an integer as it is."""
    import re

    text = str(value)
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            month = dt.date(int(match.group(1)), int(match.group(2)), 1)
            return dates.format_date(month, format="MMM y" if short else "LLLL y", locale=lang)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return format_date(dt.date.fromisoformat(text), lang, "medium" if short else "long")
        if match := re.fullmatch(r"(\d{4})-W(\d{2})", text):
            words = N_("sem. %(week)d %(year)s") if short else N_("semaine %(week)d de %(year)s")
            return translations(lang).gettext(words) % {"week": int(match.group(2)), "year": match.group(1)}
    except ValueError:
        return text
    return text


def format_number(value: float | int | None, lang: str, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        text = numbers.format_decimal(value, locale=lang)
    else:
        text = numbers.format_decimal(value, format="#,##0." + "#" * digits, locale=lang)
    # the minus sign « − », and no « −0 » for a value rounded to zero
    return "0" if text in ("-0", "\u22120") else text.replace("-", "\u2212")


# ---------------------------------------------------------------- catalogues

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("tal/**.py", "python"), ("templates/**.html", "jinja2")]


def extract():
    """Every message of the code and templates, as a Babel catalogue."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parent.parent
    catalogue = Catalog(project="TAL", charset="utf-8")
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    for filename, lineno, message, comments, context in extract_from_dir(
        root, METHODS, keywords=KEYWORDS, options_map=options, comment_tags=("TRANSLATORS:",)
    ):
        if filename.startswith("tal/stats/"):
            continue
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalogue


def update_catalogues() -> dict[str, int]:
    """Merge the extracted messages into each .po file; returns the untranslated counts (en)."""
    from babel.messages.pofile import write_po

    template = extract()
    missing = {}
    for lang in LANGUAGES:
        path = catalogue_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as f:
                catalogue = read_po(f, locale=lang)
        else:
            from babel.messages.catalog import Catalog

            catalogue = Catalog(locale=lang, project="TAL", charset="utf-8")
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        with path.open("wb") as f:
            write_po(f, catalogue, width=100, omit_header=False, sort_output=True, include_previous=False)
        missing[lang] = sum(1 for m in catalogue if m.id and not m.string)
    return missing


if __name__ == "__main__":
    print("Messages sans traduction :", update_catalogues())
