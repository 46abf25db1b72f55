"""Turn msgspec validation errors into French messages that name the key path.

msgspec says `Expected `int` >= 0 - at `$.iterations[0].results[1].n``; users read
« iterations[1].results[2].n : doit être un entier supérieur ou égal à 0 ».
Indexes are shown from 1, as people count the blocks of a file.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from tal.core.errors import DomainError, Msg
from tal.i18n import N_

T = TypeVar("T")

_TYPES = {
    "int": N_("un entier"),
    "float": N_("un nombre"),
    "str": N_("un texte"),
    "bool": N_("vrai ou faux (true / false)"),
    "array": N_("une liste"),
    "object": N_("une table de clés"),
    "date": N_("une date (AAAA-MM-JJ)"),
    "datetime": N_("une date et heure avec fuseau (AAAA-MM-JJTHH:MM:SS+01:00)"),
    "time": N_("une heure (HH:MM:SS)"),
    "null": N_("vide"),
}
_BOUNDS = {">=": N_("supérieur ou égal à"), ">": N_("strictement supérieur à"), "<=": N_("inférieur ou égal à"),
           "<": N_("strictement inférieur à")}


def _type(name: str) -> str:
    """`int | null` -> « un entier » (an optional value may be left out, not null)."""
    parts = [p.strip() for p in name.split("|") if p.strip() != "null"]
    if len(parts) == 1 and parts[0] in _TYPES:
        return Msg(_TYPES[parts[0]])
    return " ou ".join(_TYPES.get(p, p) for p in parts) or Msg(_TYPES["null"])


def human_path(path: str) -> str:
    """`$.iterations[0].results[1].n` -> `iterations[1].results[2].n`."""
    path = path.removeprefix("$").removeprefix(".")
    return re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + 1}]", path)


def join_path(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def french_message(raw: str) -> tuple[str, str, dict]:
    """(key path, message template, its parameters) for one msgspec validation message."""
    message, _, at = raw.partition(" - at `")
    path = human_path(at.rstrip("`")) if at else ""
    if m := re.fullmatch(r"Object missing required field `(.+)`", message):
        return join_path(path, m.group(1)), N_("clé obligatoire manquante"), {}
    if m := re.fullmatch(r"Object contains unknown field `(.+)`", message):
        return join_path(path, m.group(1)), N_("clé inconnue (vérifiez l'orthographe\u202f: voir le format tal-experiment/1)"), {}
    if m := re.fullmatch(r"Expected `([\w| ]+)`, got `(\w+)`", message):
        return path, N_("doit être %(expected)s, pas %(got)s"), {"expected": _type(m.group(1)), "got": _type(m.group(2))}
    if m := re.fullmatch(r"Expected `([\w| ]+)` (>=|>|<=|<) (\S+)", message):
        return path, N_("doit être %(type)s %(bound)s %(limit)s"), {
            "type": _type(m.group(1)), "bound": Msg(_BOUNDS[m.group(2)]), "limit": m.group(3)}
    if m := re.fullmatch(r"Expected `([\w| ]+)` of length (>=|<=) (\d+)", message):
        if m.group(2) == "<=":
            return path, N_("trop long\u202f: %(n)s éléments ou caractères au plus"), {"n": m.group(3)}
        if m.group(3) == "1":
            return path, N_("ne peut pas être vide"), {}
        return path, N_("trop court\u202f: %(n)s éléments ou caractères au moins"), {"n": m.group(3)}
    if re.fullmatch(r"Expected `str` matching regex .+", message):
        return path, N_("format invalide"), {}
    if m := re.fullmatch(r"Invalid enum value (.+)", message):
        return path, N_("valeur %(value)s non autorisée"), {"value": m.group(1)}
    if m := re.fullmatch(r"Invalid RFC3339 encoded (date|datetime|time)", message):
        return path, N_("doit être %(expected)s"), {"expected": _type(m.group(1))}
    if m := re.fullmatch(r"Invalid (\w+)", message):
        return path, N_("%(type)s invalide"), {"type": _type(m.group(1))}
    return path, message, {}


def convert(data: Any, type_: type[T], prefix: str = "") -> T:
    """msgspec.convert, raising a DomainError in French that names the key path."""
    try:
        return msgspec.convert(data, type_, strict=True)
    except msgspec.ValidationError as exc:
        path, message, params = french_message(str(exc))
        raise DomainError(message, join_path(prefix, path) or None, params or None) from None
