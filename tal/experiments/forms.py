"""Read the register's HTML forms into document parts.

Inputs are named by their key path in the document (`metrics[2].mde`), so that an
error from the rules names the very field to highlight. Rows left blank are
ignored; numbers accept a decimal comma.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tal.core.errors import Conflict, DomainError, FormErrors
from tal.i18n import N_

MAX_ROWS = 50


def text(value: str, path: str) -> str:
    return value.replace("\r\n", "\n").strip()


def number(value: str, path: str) -> float | None:
    value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not value:
        return None
    try:
        result = float(value)
    except ValueError:
        raise DomainError(N_("doit être un nombre (par exemple 0,05)"), path) from None
    if result != result or result in (float("inf"), float("-inf")):
        raise DomainError(N_("doit être un nombre fini"), path)
    return result


def integer(value: str, path: str) -> int | None:
    value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not value:
        return None
    if not re.fullmatch(r"-?\d+", value):
        raise DomainError(N_("doit être un nombre entier"), path)
    if len(value.lstrip("-0")) > 15:  # int() of thousands of digits is refused (or slow)
        raise DomainError(N_("nombre trop grand"), path)
    return int(value)


def lines(value: str, path: str) -> list[str] | None:
    items = [line.strip() for line in value.splitlines() if line.strip()]
    return items or None


def checkbox(value: str, path: str) -> bool:
    return value in ("on", "true", "1", "oui")


Parser = Callable[[str, str], Any]


def get(form: Mapping, name: str) -> str:
    value = form.get(name, "")
    value = value if isinstance(value, str) else ""
    if "\x00" in value:
        raise DomainError(N_("caractère nul interdit"), name)
    return value


def getall(form, name: str) -> list[str]:
    """Every value of a repeated field (checkboxes), blanks left out."""
    values = [v for v in form.getall(name, []) if isinstance(v, str) and v]
    if any("\x00" in v for v in values):
        raise DomainError(N_("caractère nul interdit"), name)
    return values


def require(form: Mapping, names: list[str] | tuple[str, ...]) -> None:
    """A form changes only what it shows: a field it shows but did not send is an
    error, never an erasure."""
    for name in names:
        if name not in form:
            raise DomainError(N_("champ absent du formulaire\u202f: rechargez la page et recommencez"), name)


def require_filled(form: Mapping, messages: Mapping[str, str]) -> None:
    """Every required field left empty, reported at once ({field: plain message})."""
    empty = [DomainError(message, name) for name, message in messages.items() if not get(form, name).strip()]
    if empty:
        raise FormErrors(empty)


def version(form: Mapping) -> int:
    """The version of the record the form was based on: missing or invalid is a conflict."""
    value = get(form, "version")
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise Conflict(N_("ce formulaire ne dit pas sur quelle version il se fonde\u202f: rechargez la page et "
                          "recommencez"), "version")
    return int(value)


def fields(form: Mapping, spec: dict[str, Parser], prefix: str = "") -> dict[str, Any]:
    """The named fields, parsed; empty values are left out."""
    result: dict[str, Any] = {}
    for name, parse in spec.items():
        path = f"{prefix}{name}"
        value = parse(get(form, path), path)
        if value not in (None, ""):
            result[name] = value
    return result


def rows(
    form: Mapping, section: str, spec: dict[str, Parser], identity: tuple[str, ...] = ()
) -> tuple[list[dict], dict[int, int]]:
    """The rows `section[1].x`, `section[2].x`…: blank or removed ones are left out.

    A row whose `identity` fields are all empty is blank even when other fields hold
    the defaults the form suggests (alpha 0,05, kind…).

    Returns the rows and, for error messages, a map from row rank to form rank.
    """
    found: list[dict] = []
    ranks: dict[int, int] = {}
    for i in range(1, MAX_ROWS + 1):
        prefix = f"{section}[{i}]."
        if not any(k.startswith(prefix) for k in form.keys()):
            continue
        if checkbox(get(form, prefix + "remove"), prefix + "remove"):
            continue
        values = {name: parse(get(form, prefix + name), prefix + name) for name, parse in spec.items()}
        if all(v in (None, "", False) for k, v in values.items() if not identity or k in identity):
            continue
        found.append({k: v for k, v in values.items() if v not in (None, "")})
        ranks[len(found)] = i
    return found, ranks


def remap(error: DomainError, section: str, ranks: dict[int, int]) -> DomainError:
    """Point an error on `section[k]` back at the form's row."""
    if error.field:
        match = re.match(rf"^{re.escape(section)}\[(\d+)\]", error.field)
        if match and int(match.group(1)) in ranks:
            error.field = f"{section}[{ranks[int(match.group(1))]}]" + error.field[match.end():]
    return error


def row_count(form: Mapping | None, section: str, existing: int, minimum: int = 1) -> int:
    """How many rows a form shows: those submitted, or the existing ones and a blank one."""
    if form is not None:
        ranks = [int(m.group(1)) for k in form.keys() if (m := re.match(rf"^{re.escape(section)}\[(\d+)\]", k))]
        return min(MAX_ROWS, max(ranks, default=0) or max(existing + 1, minimum))
    return min(MAX_ROWS, max(existing + 1, minimum))


def table(value: str, path: str, columns: int) -> list[list[str]]:
    """Lines of `a ; b ; c` (semicolon or tab separated)."""
    result = []
    for number_, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in re.split(r"[;\t]", line)]
        if len(cells) != columns:
            raise DomainError(N_("ligne %(line)d\u202f: %(expected)d colonnes attendues séparées par «\u202f;\u202f», trouvé %(found)d"), path,
                              {"line": number_, "expected": columns, "found": len(cells)})
        result.append(cells)
    return result
