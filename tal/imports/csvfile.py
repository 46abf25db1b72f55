"""Reading a unit-level CSV file while it streams: encoding, separator and header
detection, then chunks of columns, each chunk a fixed number of rows (memory stays
flat whatever the length of the file).

What French offices produce is read as it is: separator `;`, `,` or tab; UTF-8 with
or without BOM, or Windows-1252; decimal comma. Errors name the line (counted as a
spreadsheet counts them, the header being line 1) and the column; their messages are
catalogue ids, translated whole (place and reason) in the reader's language.

Columns are read by pandas' C parser: identifiers and coded values as categories
(parsed once per distinct value), numbers as floats when the whole file allows it.
When a number column holds something else (a decimal comma after a comma
separator, a typo), the file is read again with that column as categories, which
the caller parses value by value to name the first wrong cell.
"""

from __future__ import annotations

import codecs
import csv
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from tal.core.errors import DomainError, Msg
from tal.i18n import N_

SAMPLE_BYTES = 64 * 1024
CHUNK_ROWS = 100_000
MAX_COLUMNS = 200
SEPARATORS = (";", ",", "\t")
FIELD = "file"
UNKNOWN_ENCODING = N_("encodage non reconnu\u202f: enregistrez le fichier en UTF-8 ou en Windows-1252")


def thousands(value: int) -> str:
    """1204 -> « 1 204 » (narrow no-break space, French typography)."""
    return f"{value:,}".replace(",", "\u202f")


SHOWN_CHARS = 60


def shortened(text: str) -> str:
    """A cell or column name as an error quotes it: its start only when it is long."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


# Where the error is, around its reason (itself a message, translated with it).
_AT_CELL = N_("ligne %(line)s, colonne «\u202f%(column)s\u202f»\u202f: %(reason)s")
_AT_LINE = N_("ligne %(line)s\u202f: %(reason)s")


class ImportFailure(DomainError):
    """The file cannot be imported. `message` is a message id (with `params`), or a
    Msg already built; the message names the line, and the column (with a line), if any."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None, **params) -> None:
        reason = message if isinstance(message, Msg) else Msg(message, params)
        if line is None:
            super().__init__(reason.template, FIELD, reason.params)
        elif column is None:
            super().__init__(_AT_LINE, FIELD, {"line": thousands(line), "reason": reason})
        else:
            super().__init__(_AT_CELL, FIELD, {"line": thousands(line), "column": shortened(column), "reason": reason})
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Layout:
    """How the file is written: found from its first bytes."""

    encoding: str
    separator: str
    header: list[str]

    @property
    def decimal(self) -> str:
        # A comma cannot be the decimal mark of a comma-separated file (unless
        # quoted: such cells take the slower path, which accepts both marks).
        return "." if self.separator == "," else ","


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff(stream: BinaryIO) -> Layout:
    """The encoding, separator and header of a file; the stream is rewound."""
    head = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFailure(N_("le fichier est vide"))
    if b"\x00" in head:
        raise ImportFailure(N_("ce fichier n'est pas un fichier CSV (texte)\u202f: enregistrez-le au format CSV depuis votre tableur"))
    encoding = _encoding(head)
    try:
        text = head.decode(encoding, errors="strict" if encoding != "utf-8" else "ignore")
    except UnicodeDecodeError:
        raise ImportFailure(UNKNOWN_ENCODING) from None
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {sep: first.count(sep) for sep in SEPARATORS}
    # No separator: one column, which the caller checks (a missing `arm` column, or not a CSV at all).
    separator = max(SEPARATORS, key=lambda s: counts[s])
    header = [name.strip() for name in next(csv.reader([first], delimiter=separator), [""])]
    if len(header) > MAX_COLUMNS:
        raise ImportFailure(N_("%(count)s colonnes\u202f: au plus %(limit)s"), line=1, count=len(header), limit=MAX_COLUMNS)
    for position, name in enumerate(header, start=1):
        if not name:
            raise ImportFailure(N_("la colonne n° %(position)s n'a pas de nom"), line=1, position=position)
    return Layout(encoding, separator, header)


class NumberColumnsFailed(Exception):
    """A column read as floats holds something else: read again as categories."""


_BAD_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _reader(stream: BinaryIO, layout: Layout, numbers: set[int]):
    import pandas as pd

    # One column more than the header: a row with too many cells fills it.
    names = list(range(len(layout.header) + 1))
    return pd.read_csv(
        stream,
        sep=layout.separator,
        decimal=layout.decimal,
        encoding=layout.encoding,
        header=None,
        skiprows=1,
        names=names,
        index_col=False,
        dtype={i: ("float64" if i in numbers else "category") for i in names},
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        chunksize=CHUNK_ROWS,
        engine="c",
        encoding_errors="strict",
    )


def chunks(
    stream: BinaryIO,
    layout: Layout,
    numbers: set[int],
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, dict[int, object]]]:
    """(first line number, {column index: pandas Series}) per chunk of rows.

    Columns in `numbers` are read as floats (NaN for an empty cell); others as
    categories. Raises NumberColumnsFailed when a number column holds a text.
    """
    import pandas as pd

    line = 2
    width = len(layout.header)
    try:
        with warnings.catch_warnings(), _reader(stream, layout, numbers) as reader:
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            for chunk in reader:
                extra = chunk[width].notna().to_numpy()
                if extra.any():
                    at = line + int(extra.nonzero()[0][0])
                    raise ImportFailure(N_("plus de cellules que les %(width)s colonnes de l'en-tête"), line=at, width=width)
                yield line, {i: chunk[i] for i in range(width)}
                line += len(chunk)
                if progress is not None:
                    progress(stream.tell())
    except pd.errors.EmptyDataError:
        return
    except UnicodeDecodeError:
        raise
    except ValueError as exc:
        text = str(exc)
        if match := _BAD_LINE.search(text):
            expected, at, saw = (int(g) for g in match.groups())
            raise ImportFailure(N_("%(saw)s cellules pour %(expected)s colonnes dans l'en-tête"), line=at, saw=saw,
                                expected=expected) from None
        if "could not convert" in text or "Unable to parse" in text:
            raise NumberColumnsFailed(text) from None
        raise ImportFailure(N_("le fichier n'a pas pu être lu comme un CSV (%(detail)s)"), line=line,
                            detail=text[:120]) from None
