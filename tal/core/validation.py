"""Turn msgspec validation errors into French messages that name the key path.

msgspec says `Expected `int` >= 0 - at `$.iterations[0].results[1].n``; users read
« iterations[1].results[2].n : doit être un entier supérieur ou égal à 0 ».
Indexes are shown from 1, as people count the blocks of a file.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from tal.core.errors import DomainError

T = TypeVar("T")

_TYPES = {
    "int": "un entier",
    "float": "un nombre",
    "str": "un texte",
    "bool": "vrai ou faux (true / false)",
    "array": "une liste",
    "object": "une table de clés",
    "date": "une date (AAAA-MM-JJ)",
    "datetime": "une date et heure avec fuseau (AAAA-MM-JJTHH:MM:SS+01:00)",
    "null": "vide",
}
_BOUNDS = {">=": "supérieur ou égal à", ">": "strictement supérieur à", "<=": "inférieur ou égal à", "<": "strictement inférieur à"}


def _type(name: str) -> str:
    """`int | null` -> « un entier » (an optional value may be left out, not null)."""
    parts = [p.strip() for p in name.split("|") if p.strip() != "null"]
    return " ou ".join(_TYPES.get(p, p) for p in parts) or _TYPES["null"]


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


def french_message(raw: str) -> tuple[str, str]:
    """(key path, French message) for one msgspec validation message."""
    message, _, at = raw.partition(" - at `")
    path = human_path(at.rstrip("`")) if at else ""
    if m := re.fullmatch(r"Object missing required field `(.+)`", message):
        return join_path(path, m.group(1)), "clé obligatoire manquante"
    if m := re.fullmatch(r"Object contains unknown field `(.+)`", message):
        return join_path(path, m.group(1)), "clé inconnue (vérifiez l'orthographe : voir le format tal-experiment/1)"
    if m := re.fullmatch(r"Expected `([\w| ]+)`, got `(\w+)`", message):
        return path, f"doit être {_type(m.group(1))}, pas {_type(m.group(2))}"
    if m := re.fullmatch(r"Expected `([\w| ]+)` (>=|>|<=|<) (\S+)", message):
        return path, f"doit être {_type(m.group(1))} {_BOUNDS[m.group(2)]} {m.group(3)}"
    if m := re.fullmatch(r"Expected `([\w| ]+)` of length (>=|<=) (\d+)", message):
        if m.group(2) == "<=":
            return path, f"trop long : {m.group(3)} éléments ou caractères au plus"
        if m.group(3) == "1":
            return path, "ne peut pas être vide"
        return path, f"trop court : {m.group(3)} éléments ou caractères au moins"
    if re.fullmatch(r"Expected `str` matching regex .+", message):
        return path, "format invalide"
    if m := re.fullmatch(r"Invalid enum value (.+)", message):
        return path, f"valeur {m.group(1)} non autorisée"
    if m := re.fullmatch(r"Invalid (\w+)", message):
        return path, f"{_type(m.group(1))} invalide"
    return path, message


def convert(data: Any, type_: type[T], prefix: str = "") -> T:
    """msgspec.convert, raising a DomainError in French that names the key path."""
    try:
        return msgspec.convert(data, type_, strict=True)
    except msgspec.ValidationError as exc:
        path, message = french_message(str(exc))
        raise DomainError(message, join_path(prefix, path) or None) from None
