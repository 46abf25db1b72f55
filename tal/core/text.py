"""Text helpers shared by areas: search normalisation, wrapping chart labels."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    """Lower-case, accent-free, single-spaced text, for search (« Été » -> « ete »)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


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
