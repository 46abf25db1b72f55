"""New tags written on the journal entry form: read, checked, normalised, then added to
the shared vocabulary.

A new tag is trimmed and its inner spaces collapsed; it is the same tag as an existing
one whatever the case (« Prestataire » is « prestataire »), and the existing spelling
wins. Limits: MAX_NEW new tags at a time, MAX_LENGTH characters each, letters, digits,
spaces, hyphens and apostrophes only, and MAX_PER_ENTRY tags on an entry in all.
"""

from __future__ import annotations

import re

from tal.core.errors import DomainError
from tal.i18n import N_
from tal.journal.tables import Tag

FIELD = "new_tags"
MAX_LENGTH = 40  # the column's length (tal/journal/tables.py)
MAX_NEW = 5
MAX_PER_ENTRY = 20  # EntryInput.tags
MAX_INPUT = 400  # characters of the field itself, before splitting
ALLOWED = re.compile(r"[^\W_](?:[\w '’-]*[^\W_])?")


def parse(text: str, chosen: list[str]) -> list[str]:
    """The new tags written in the field (comma or semicolon separated), checked and
    without duplicates (ignoring case); `chosen` are the tags ticked in the list."""
    if len(text) > MAX_INPUT:
        raise DomainError(N_("%(limit)d caractères au plus"), FIELD, {"limit": MAX_INPUT})
    names: dict[str, str] = {}
    for raw in re.split(r"[,;\n]", text):
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > MAX_LENGTH:
            raise DomainError(N_("«\u202f%(tag)s…\u202f»\u202f: une étiquette a %(limit)d caractères au plus"), FIELD,
                              {"tag": name[:MAX_LENGTH], "limit": MAX_LENGTH})
        if not ALLOWED.fullmatch(name):
            raise DomainError(N_("«\u202f%(tag)s\u202f»\u202f: une étiquette ne contient que des lettres, des chiffres, des "
                                 "espaces, des tirets et des apostrophes"), FIELD, {"tag": name})
        names.setdefault(name.casefold(), name)
    for tag in chosen:
        names.pop(tag.casefold(), None)
    if len(names) > MAX_NEW:
        raise DomainError(N_("%(limit)d nouvelles étiquettes au plus à la fois"), FIELD, {"limit": MAX_NEW})
    if len(names) + len(set(chosen)) > MAX_PER_ENTRY:
        raise DomainError(N_("%(limit)d étiquettes au plus par entrée"), FIELD, {"limit": MAX_PER_ENTRY})
    return list(names.values())


async def add(names: list[str]) -> list[str]:
    """The vocabulary's spelling of each name, creating the tags it does not have yet
    (inside the caller's write transaction)."""
    if not names:
        return []
    known = {row["name"].casefold(): row["name"] for row in await Tag.select(Tag.name)}
    missing = [name for name in names if name.casefold() not in known]
    if missing:
        await Tag.insert(*(Tag(name=name) for name in missing))
    return [known.get(name.casefold(), name) for name in names]
