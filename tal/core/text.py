"""Text helpers shared by areas: search normalisation."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    """Lower-case, accent-free, single-spaced text, for search (« Été » -> « ete »)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


def search_terms(query: str) -> list[str]:
    """Terms of a search box, without SQL LIKE wildcards, at most 8."""
    return [t for t in re.split(r"[\s%_]+", normalise(query)) if len(t) >= 2][:8]
