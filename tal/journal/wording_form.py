"""The wording review on the journal form: flags grouped by sentence, each with its
suggested rewording, and the author's choice per sentence — accept the suggestion,
accept it after editing it, or keep their own wording.

The form carries, for each flagged sentence ``i``: ``rw-i-field`` (the field),
``rw-i-sentence`` (the sentence as reviewed), ``rw-i-text`` (the suggestion, editable)
and ``rw-i-choice`` (``accept`` or ``keep``). ``apply_choices`` replaces each accepted
sentence in its field, and only there; a sentence the author changed meanwhile is
left alone. Nothing is saved: the author sees the result and saves or publishes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from litestar.datastructures import FormMultiDict

from tal.journal.wording import Flag, review_in_thread

MAX_GROUPS = 200
MAX_REWORDING = 2_000


@dataclass(slots=True)
class SentenceReview:
    """One flagged sentence of one field, its flags and the suggested rewording."""

    field: str
    sentence: str
    suggestion: str
    flags: list[Flag] = field(default_factory=list)


async def review_fields(values: dict[str, str], names: Iterable[str]) -> list[SentenceReview]:
    """The flagged sentences of the form's fields, in the order of the fields (off the event loop)."""
    groups: dict[tuple[str, str], SentenceReview] = {}
    for name, flag in await review_in_thread(values, names):
        key = (name, flag.sentence)
        if key not in groups:
            groups[key] = SentenceReview(name, flag.sentence, flag.suggestion)
        groups[key].flags.append(flag)
    return list(groups.values())[:MAX_GROUPS]


def apply_choices(form: FormMultiDict, fields: Iterable[str]) -> tuple[FormMultiDict, int]:
    """The form with each accepted rewording in place of its sentence, and how many were applied."""
    allowed = set(fields)
    values = {name: form.get(name, "") for name in allowed}
    applied = 0
    for i in range(MAX_GROUPS):
        name = form.get(f"rw-{i}-field")
        if name is None:
            break
        if name not in allowed or form.get(f"rw-{i}-choice") != "accept":
            continue
        sentence = form.get(f"rw-{i}-sentence", "")
        # Runs of spaces and line breaks become one space; narrow no-break spaces stay.
        replacement = re.sub(r"[ \t\r\n]+", " ", form.get(f"rw-{i}-text", "")).strip()[:MAX_REWORDING]
        if sentence and replacement and sentence in values[name]:
            values[name] = values[name].replace(sentence, replacement, 1)
            applied += 1
    items = [(k, v) for k, v in form.multi_items() if k not in allowed and not k.startswith("rw-") and k != "action"]
    items += list(values.items())
    return FormMultiDict(items), applied
