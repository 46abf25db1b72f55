"""Limits checked on a TOML text before it is parsed, in one linear pass.

Files are exchanged between collectivités: a crafted file must not exhaust the parser
(a dotted key of 40,000 parts is quadratic in `tomllib`; 100,000 nested arrays overflow
its recursion). The pass follows strings and comments so that brackets, dots and
equals signs inside texts do not count, and stops at the first limit exceeded.
"""

from __future__ import annotations

import re

from tal.core.errors import DomainError
from tal.i18n import N_

MAX_DEPTH = 16  # arrays and inline tables nested in one value
MAX_KEY_PARTS = 8  # parts of a dotted key or table name
MAX_KEY_LENGTH = 200  # characters of a whole key

TOO_DEEP = N_("structure trop imbriquée\u202f: 16 tableaux ou tables imbriqués au plus")
KEY_TOO_LONG = N_("clé trop longue\u202f: 8 parties et 200 caractères au plus")
NUL = N_("caractère nul interdit")


def _string_end(text: str, i: int) -> int:
    """The index just after the string starting at `i` (or the end of the text)."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        j = i + 3
        while True:
            j = text.find(quote * 3, j)
            if j < 0:
                return len(text)
            if quote == '"' and _escaped(text, j):
                j += 1
                continue
            # """a"""" : up to two more quotes belong to the string.
            end = j + 3
            while end < len(text) and text[end] == quote and end - j < 5:
                end += 1
            return end
    j = i + 1
    while j < len(text) and text[j] != "\n":
        if text[j] == quote and not (quote == '"' and _escaped(text, j)):
            return j + 1
        j += 1
    return j


def _escaped(text: str, j: int) -> bool:
    backslashes = 0
    while j - backslashes - 1 >= 0 and text[j - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


# The characters that matter, by what is being read: a key, a value in an inline table,
# any other value. Everything between them is skipped by the regular expression engine.
_IN_KEY = re.compile(r"[#\"'\n=\].]")
_IN_TABLE = re.compile(r"[#\"'\n\[\]{},]")
_IN_VALUE = re.compile(r"[#\"'\n\[\]{}]")
_IN_ARRAY = re.compile(r"[#\"'\[\]{}]")  # line ends inside an array do not matter
_BLANKS = " \t\r["


def check(text: str, where: str) -> None:
    """Raise a DomainError naming the line when a key or the nesting exceeds the limits."""
    stack: list[str] = []  # "[" and "{" of the value being read
    at_key = True
    key_length = key_parts = 0
    line = 1
    i, n = 0, len(text)

    def fail(message: str) -> DomainError:
        return DomainError(message, f"{where}, ligne {line}")

    while i < n:
        if at_key:
            pattern = _IN_KEY
        elif stack:
            pattern = _IN_TABLE if stack[-1] == "{" else _IN_ARRAY
        else:
            pattern = _IN_VALUE
        match = pattern.search(text, i)
        j = match.start() if match else n
        if pattern is _IN_ARRAY:
            line += text.count("\n", i, j)
        if at_key and j > i:
            key_length += j - i - sum(text.count(blank, i, j) for blank in _BLANKS)
            if key_length > MAX_KEY_LENGTH:
                raise fail(KEY_TOO_LONG)
        if match is None:
            return
        i, c = j, match.group()
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'":
            end = _string_end(text, i)
            line += text.count("\n", i, end)
            if at_key:
                key_length += end - i
                if key_length > MAX_KEY_LENGTH:
                    raise fail(KEY_TOO_LONG)
            i = end
            continue
        if c == "\n":
            line += 1
            if not stack:
                at_key, key_length, key_parts = True, 0, 0
        elif at_key:
            if c == "=":
                at_key, key_length, key_parts = False, 0, 0
            elif c == "]":
                key_length, key_parts = 0, 0  # end of a [table] or [[array]] name
            else:  # "."
                key_parts += 1
                if key_parts >= MAX_KEY_PARTS:
                    raise fail(KEY_TOO_LONG)
        elif c in "[{":
            stack.append(c)
            if len(stack) > MAX_DEPTH:
                raise fail(TOO_DEEP)
            at_key = c == "{"
        elif c in "]}":
            if stack:
                stack.pop()
        else:  # "," in an inline table
            at_key = True
        i += 1


def find_nul(value, path: str = "") -> str | None:
    """The key path of the first text holding a NUL character, if any."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            if "\x00" in key or (found := find_nul(item, inner)) is not None:
                return inner if "\x00" in key else found
    if isinstance(value, list):
        for index, item in enumerate(value, start=1):
            if (found := find_nul(item, f"{path}[{index}]")) is not None:
                return found
    return None
