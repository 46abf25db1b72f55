"""``tal wording check FILE|- [--lines] [--format text|json]``: the journal's wording review
on a file or the standard input, one text for the whole input or one per line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tal.core.errors import DomainError
from tal.journal.wording import as_dict, review

# A longer input is refused: the review is meant for journal entries, not books.
MAX_CHARACTERS = 200_000


class WordingInputError(DomainError):
    """The input cannot be reviewed (one French line for the user, exit status 1)."""


def read_input(source: str) -> str:
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except IsADirectoryError:
        raise WordingInputError("c'est un dossier, pas un fichier", source) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WordingInputError("le texte n'est pas en UTF-8", "entrée standard" if source == "-" else source) from None
    if len(text) > MAX_CHARACTERS:
        limit = f"{MAX_CHARACTERS:,}".replace(",", "\u202f")
        raise WordingInputError(f"le texte dépasse {limit} caractères", "entrée standard" if source == "-" else source)
    return text


def check(text: str, lines: bool) -> dict[str, list[dict[str, object]]]:
    """The contract's document: ``{"texts": [{"text": …, "flags": […]}]}``."""
    texts = text.splitlines() if lines else [text]
    return {"texts": [{"text": t, "flags": [as_dict(f) for f in review(t)]} for t in texts]}


def as_text(result: dict[str, list[dict[str, object]]], lines: bool) -> str:
    out = []
    count = 0
    for number, entry in enumerate(result["texts"], start=1):
        for flag in entry["flags"]:
            count += 1
            where = f"ligne {number}, " if lines else ""
            out.append(f"{where}caractères {flag['start']}–{flag['end']}\u202f: «\u202f{flag['excerpt']}\u202f» — "
                       f"{flag['reason']}")
            out.append(f"  Suggestion\u202f: {flag['suggestion']}")
    flagged = sum(1 for entry in result["texts"] if entry["flags"])
    out.append(f"{count} passage(s) signalé(s) dans {flagged} texte(s) sur {len(result['texts'])}.")
    return "\n".join(out) + "\n"


def wording_command(source: str, lines: bool, fmt: str) -> str:
    result = check(read_input(source), lines)
    if fmt == "json":
        return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    return as_text(result, lines)
