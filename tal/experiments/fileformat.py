"""Read and write `tal-experiment/1` files (TOML).

Reading checks the whole file (shape, then rules) and raises a DomainError whose
field is « fichier : clé » so that the user finds the line to fix.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path

import msgspec
import tomli_w

from tal.core.errors import DomainError
from tal.core.validation import convert
from tal.experiments import rules, tomlguard
from tal.experiments.schemas import FORMAT, ExperimentFile
from tal.i18n import N_

MAX_FILE_BYTES = 5_000_000


class _NotFinite(ValueError):
    pass


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _normalise(value):
    """Texts as the forms keep them: no surrounding blanks, \n line ends; so that a
    file, its export and a form saved untouched hold the very same values."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def parse(text: str, source: str = "") -> ExperimentFile:
    """Parse and check one file's text. `source` names it in error messages."""
    prefix = f"{source} : " if source else ""
    where = source or "fichier"
    if len(text) > MAX_FILE_BYTES:
        raise DomainError(N_("fichier trop volumineux (5 Mo au plus)"), where)
    tomlguard.check(text, where)
    try:
        data = tomllib.loads(text, parse_float=_finite)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError(f"TOML illisible : {exc}", where) from None
    except _NotFinite as exc:
        raise DomainError(N_("valeur «\u202f%(value)s\u202f» interdite\u202f: les nombres doivent être finis"), where, {"value": str(exc)}) from None
    nul = tomlguard.find_nul(data)
    if nul is not None:
        raise DomainError(tomlguard.NUL, f"{prefix}{nul}")
    if data.get("format") != FORMAT:
        raise DomainError(f"attendu « {FORMAT} », trouvé « {data.get('format', '(absent)')} »", f"{prefix}format")
    try:
        doc = convert(_normalise(data), ExperimentFile)
        rules.check(doc)
    except DomainError as exc:
        raise DomainError(exc.message, f"{prefix}{exc.field}" if exc.field else where) from None
    return doc


def read(path: Path) -> ExperimentFile:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DomainError(N_("fichier trop volumineux (5 Mo au plus)"), str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DomainError(N_("le fichier n'est pas en UTF-8"), str(path)) from None
    return parse(text, str(path))


def collect(paths: list[Path]) -> list[Path]:
    """The .toml files named, or found (sorted) in the folders named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.toml")))
        elif path.is_file():
            files.append(path)
        else:
            raise DomainError(N_("fichier ou dossier introuvable"), str(path))
    if not files:
        raise DomainError("aucun fichier .toml trouvé dans " + ", ".join(map(str, paths)))
    return files


def dumps(doc: ExperimentFile) -> str:
    """The document as TOML text, keys in the contract's order, defaults omitted."""
    data = msgspec.to_builtins(doc, builtin_types=(dt.datetime, dt.date))
    return tomli_w.dumps(data, multiline_strings=True)
