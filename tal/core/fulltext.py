"""Full-text search, one function for every area and both engines.

A table that wants it has a `search_text` column (lower-case, accent-free text, see
`tal.core.text.normalise`) and a migration that indexes it: on SQLite an FTS5 table
`<table>_fts` over that column (external content, kept in step by triggers), on
PostgreSQL a stored column `search_vector`, `to_tsvector('french', search_text)`
computed by the database at each write, with a GIN index (`store_vector`):
ranking reads it instead of computing the vector of every match again (2.2 s for
4,000 matches among 10,000 experiments, 85 ms with it). Search terms are
folded the same way and reduced by a light French stemmer (plural and feminine
endings), then matched as prefixes: « rappels » finds « rappel » and « rappeler »,
« etat civil » finds « état civil ». Results come most relevant first (bm25 on
SQLite, ts_rank on PostgreSQL); `highlight` marks the matched words in a text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape
from piccolo.table import Table

from tal.core.text import normalise

MAX_TERMS = 8
MAX_RESULTS = 10_000


def stem(word: str) -> str:
    """A light French stemmer on a folded word: « rappels » -> « rappel », « publiques »
    -> « publiqu », « journaux » -> « journal »."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def terms(query: str) -> list[str]:
    """The stems of a search box's words (two letters or more), at most eight."""
    return [stem(w) for w in re.findall(r"\w+", normalise(query)) if len(w) >= 2 and w != "_"][:MAX_TERMS]


async def ranked_ids(table: type[Table], query: str) -> list[int] | None:
    """The ids of the rows of `table` whose search text has every term of `query`,
    most relevant first; None when the query has no term (no search)."""
    stems = terms(query)
    if not stems:
        return None
    name = table._meta.tablename
    if table._meta.db.engine_type == "sqlite":
        match = " ".join(f'"{s}"*' for s in stems)
        rows = await table.raw(f"SELECT rowid AS id FROM {name}_fts WHERE {name}_fts MATCH {{}} ORDER BY rank "
                               f"LIMIT {MAX_RESULTS}", match)
    else:
        tsquery = " & ".join(f"{s}:*" for s in stems)
        rows = await table.raw(
            f"SELECT id FROM {name}, to_tsquery('french', {{}}) AS q WHERE search_vector @@ q "
            f"ORDER BY ts_rank(search_vector, q) DESC, id DESC LIMIT {MAX_RESULTS}", tsquery)
    return [r["id"] for r in rows]


async def store_vector(engine, table_name: str) -> None:
    """PostgreSQL: give a table its stored `search_vector` and that column's GIN index
    (replacing the index on the expression, which ranking could not use). Nothing on
    SQLite, whose FTS5 table stays as it is. Idempotent."""
    if engine.engine_type != "postgres":
        return
    for statement in (
        f"ALTER TABLE {table_name} ADD COLUMN IF NOT EXISTS search_vector tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('french', coalesce(search_text, ''))) STORED",
        f"CREATE INDEX IF NOT EXISTS {table_name}_search_vector ON {table_name} USING GIN (search_vector)",
        f"DROP INDEX IF EXISTS {table_name}_fts",
    ):
        await engine.run_ddl(statement)


def highlight(text: str | None, query: str | None) -> Markup:
    """`text`, escaped, with the words matching the query's terms in <mark>."""
    text = text or ""
    stems = terms(query or "")
    if not stems:
        return escape(text)
    parts = []
    for piece in re.split(r"(\w+)", text):
        folded = normalise(piece)
        if piece and re.fullmatch(r"\w+", piece) and any(stem(folded).startswith(s) or folded.startswith(s)
                                                           for s in stems):
            parts.append(Markup("<mark>") + escape(piece) + Markup("</mark>"))
        else:
            parts.append(escape(piece))
    return Markup("").join(parts)


async def ranked_page(table: type[Table], ranked: list[int], where: list, number: int,
                      per_page: int) -> tuple[int, list[int]]:
    """The number of rows of `table` matching `where` among `ranked`, and the ids of
    page `number`, in the order of `ranked` (most relevant first)."""
    if not where:  # nothing to filter: no second query over every matching id
        return len(ranked), ranked[(number - 1) * per_page:number * per_page]
    query = table.select(table._meta.primary_key).where(table._meta.primary_key.is_in(ranked or [0]))
    for condition in where:
        query = query.where(condition)
    matching = {r[table._meta.primary_key._meta.name] for r in await query}
    ids = [i for i in ranked if i in matching]
    return len(ids), ids[(number - 1) * per_page:number * per_page]
