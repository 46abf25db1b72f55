"""The Jinja environment and the context every page gets."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path
from typing import Any

from markupsafe import Markup
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template

from tal import __version__, i18n
from tal.core import fulltext, markdown
from tal.core.errors import each_error
from tal.settings import TEMPLATES_DIR, get_settings

TEMPLATES = TEMPLATES_DIR


@pass_context
def _date(ctx, value, fmt: str = "long") -> str:
    return i18n.format_date(value, ctx["lang"], fmt)


@pass_context
def _datetime(ctx, value) -> str:
    return i18n.format_datetime(value, ctx["lang"])


@pass_context
def _period(ctx, value, short: bool = False) -> str:
    return i18n.format_period(value, ctx["lang"], short)


@pass_context
def _number(ctx, value, digits: int = 4) -> str:
    return i18n.format_number(value, ctx["lang"], digits)


@pass_context
def _input_number(ctx, value) -> str:
    """A number as a form field shows it: no grouping, decimal comma in French."""
    if value is None:
        return ""
    text = repr(value) if isinstance(value, float) else str(value)
    return text.replace(".", ",") if ctx["lang"] == "fr" else text


def _field_error(error, name: str):
    """The error of the field `name` among a form's errors, or None."""
    return next((e for e in each_error(error) if e.field == name), None)


def _find(items, **attributes):
    """The first item whose attributes have these values, or None."""
    for item in items or ():
        if all(getattr(item, k) == v for k, v in attributes.items()):
            return item
    return None


def _translate_pairs(pairs, gettext) -> list[tuple[str, str]]:
    """[(key, French label)] -> [(key, translated label)], for select options."""
    return [(key, gettext(label)) for key, label in pairs]


STATIC = Path(__file__).resolve().parent.parent / "static"


@functools.cache
def static_url(name: str) -> str:
    """The address of a static file with its content's fingerprint: served with a
    one-year cache, it changes when the file does."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


# Template globals the areas add when the application is built (tal/app.py): tal/core knows no area.
_AREA_GLOBALS: dict[str, Any] = {}


def register_globals(**values: Any) -> None:
    _AREA_GLOBALS.update(values)


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date=_date, datetime=_datetime, number=_number, markdown=markdown.render, translate_pairs=_translate_pairs,
        input_number=_input_number, highlight=fulltext.highlight,
    )
    env.filters["period"] = _period
    env.globals.update(version=__version__, find=_find, static_url=static_url, **_AREA_GLOBALS)
    env.globals.update(field_error=_field_error, each_error=each_error)
    return env


def template_engine() -> JinjaTemplateEngine:
    return JinjaTemplateEngine.from_environment(make_environment())


FLASH = "flash"


def flash(request: Request, message: str) -> None:
    """A confirmation (a French message id) shown once, on the next page the user sees."""
    session = request.scope.get("session")
    if isinstance(session, dict):
        session[FLASH] = message


def _pop_flash(request: Request) -> str | None:
    session = request.scope.get("session")
    message = session.pop(FLASH, None) if isinstance(session, dict) else None
    return message if isinstance(message, str) else None


def language(request: Request) -> str:
    return i18n.pick(request.cookies.get("lang"), request.headers.get("accept-language", ""))


def base_context(request: Request) -> dict[str, Any]:
    lang = language(request)
    translation = i18n.translations(lang)
    settings = get_settings()
    return {
        "lang": lang,
        "_": translation.gettext,
        "gettext": translation.gettext,
        "ngettext": translation.ngettext,
        "actor": request.scope.get("state", {}).get("actor"),
        "org": {"name": settings.org_name, "color": settings.org_color, "accent": settings.org_accent},
        "path": request.url.path,
        "query": request.url.query,
        "today": dt.date.today(),
        "flash": _pop_flash(request),
        # Content written by the collectivité's teams is French: marked so in English pages (WCAG 3.1.2).
        "user_lang": Markup(' lang="fr"') if lang != "fr" else "",
        # « Raison : » in French (a narrow no-break space before the colon), « Reason: » in English.
        "colon": "\u202f:" if lang == "fr" else ":",
        "semicolon": "\u202f;" if lang == "fr" else ";",
    }


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Template:
    """Render a template with the context every page needs."""
    return Template(template_name=name, context={**base_context(request), **context}, status_code=status_code)
