"""New tags written on the journal entry form: read, checked, normalised, then added to
the shared vocabulary.

A new tag is trimmed and its inner spaces collapsed; it is the same tag as an existing
one whatever the case (« Prestataire » is « prestataire »), and the existing spelling
wins. Limits: MAX_NEW new tags at a time, MAX_LENGTH characters each, letters, digits,
spaces, hyphens and apostrophes only, and MAX_PER_ENTRY tags on an entry in all.

The database holds one tag per lower-cased name (a unique index): when two authors
create the same tag at once, the second insert fails, is rolled back to its savepoint,
and the tag the first created is read again.
"""

from __future__ import annotations

import contextlib
import re

from tal import db
from tal.core.errors import DomainError
from tal.i18n import N_
from tal.journal.tables import Tag

FIELD = "new_tags"
MAX_LENGTH = 40  # the column's length (tal/journal/tables.py)
MAX_NEW = 5
MAX_PER_ENTRY = 20  # EntryInput.tags
MAX_INPUT = 400  # characters of the field itself, before splitting
ALLOWED = re.compile(r"[^\W_](?:[\w '’-]*[^\W_])?")


def check(name: str, field: str) -> None:
    """DomainError naming `field` when `name` is not a tag the vocabulary may hold (a
    form's new tag, or a tag of an experiment file's journal entry)."""
    if len(name) > MAX_LENGTH:
        raise DomainError(N_("«\u202f%(tag)s…\u202f»\u202f: une étiquette a %(limit)d caractères au plus"), field,
                          {"tag": name[:MAX_LENGTH], "limit": MAX_LENGTH})
    if not ALLOWED.fullmatch(name):
        raise DomainError(N_("«\u202f%(tag)s\u202f»\u202f: une étiquette ne contient que des lettres, des chiffres, des "
                             "espaces, des tirets et des apostrophes"), field, {"tag": name})


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
        check(name, FIELD)
        names.setdefault(name.casefold(), name)
    for tag in chosen:
        names.pop(tag.casefold(), None)
    if len(names) > MAX_NEW:
        raise DomainError(N_("%(limit)d nouvelles étiquettes au plus à la fois"), FIELD, {"limit": MAX_NEW})
    if len(names) + len(set(chosen)) > MAX_PER_ENTRY:
        raise DomainError(N_("%(limit)d étiquettes au plus par entrée"), FIELD, {"limit": MAX_PER_ENTRY})
    return list(names.values())


async def find(names: list[str]) -> dict[str, dict]:
    """The tag ({id, name}) of each name the vocabulary has, whatever its case."""
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    rows = await Tag.select(Tag.id, Tag.name).where(Tag.name.is_in(names))
    if len(rows) < len(names):  # some written in another case: the whole vocabulary (a few hundred tags)
        rows = await Tag.select(Tag.id, Tag.name)
    by_case = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        by_case.setdefault(row["name"].casefold(), row)
    return {name: by_case[name.casefold()] for name in names if name.casefold() in by_case}


@contextlib.asynccontextmanager
async def _savepoint():
    """Inside the current transaction, a part that fails without aborting it."""
    transaction = Tag._meta.db.current_transaction.get()
    if transaction is None:
        yield
        return
    savepoint = await transaction.savepoint("tal_new_tags")
    try:
        yield
    except BaseException:
        await savepoint.rollback_to()
        raise
    await savepoint.release()


async def ensure(names: list[str]) -> dict[str, dict]:
    """The tag ({id, name}) of each name, creating those the vocabulary does not have
    yet, whatever the case (inside the caller's write transaction). A tag another
    transaction creates meanwhile makes the insert fail: it is read again, once."""
    found = await find(names)
    for attempt in (1, 2):
        missing: dict[str, str] = {}
        for name in names:
            if name not in found:
                missing.setdefault(name.casefold(), name)
        if not missing:
            break
        try:
            async with _savepoint():
                await Tag.insert(*(Tag(name=name) for name in missing.values()))
        except db.UNIQUE_VIOLATIONS:
            if attempt == 2:
                raise
        found = await find(names)
    return found


async def add(names: list[str]) -> list[str]:
    """The vocabulary's spelling of each name, creating the tags it does not have yet
    (inside the caller's write transaction)."""
    found = await ensure(names)
    return [found[name]["name"] for name in names]
