"""SQL LIKE conditions whose user-given part is taken literally: `%` and `_` typed in a
filter (`?service=%`) match themselves, not every value."""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Column, fragment: str) -> WhereRaw:
    """`column` contains `fragment` as it is written (same SQL on SQLite and PostgreSQL)."""
    name = column._meta.get_full_name(with_alias=False)
    return WhereRaw(f"{name} LIKE {{}} ESCAPE '\\'", f"%{escape(fragment)}%")
