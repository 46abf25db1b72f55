"""Text helpers shared by areas: search normalisation, wrapping chart labels."""

from __future__ import annotations

import re
import unicodedata


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SPACES = re.compile(r"\s+")


def _without_mark(match: re.Match) -> str:
    return "" if unicodedata.combining(match.group()) else match.group()


def normalise(text: str) -> str:
    """Lower-case, accent-free, single-spaced text, for search (« Été » -> « ete »).
    Only the characters beyond ASCII are looked at one by one (a few in French text)."""
    if not text.isascii():
        text = _NON_ASCII.sub(_without_mark, unicodedata.normalize("NFKD", text))
    return _SPACES.sub(" ", text.casefold()).strip()


def wrap(text: str, width: int = 40) -> list[str]:
    """A label in lines of at most `width` characters, cut between words (a word longer
    than a line stays whole): chart labels are wrapped, never cut."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def slugify(text: str, limit: int = 60) -> str:
    """A slug proposed from a title: « Rappel SMS de l'état civil » -> « rappel-sms-de-l-etat-civil »,
    cut between words at `limit` characters."""
    words = re.findall(r"[a-z0-9]+", normalise(text))
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "-".join(words)[:limit].strip("-")
