"""Aggregate a unit-level CSV file into the sufficient statistics TAL stores.

Randomized: a column `arm` (arm key or label) and one column per metric; rows are
summed per arm: n and successes (binary), n, mean and sd (mean), events and exposure
(rate, exposure from the optional column `KEY.exposure`, 1 per row otherwise),
counts per level (ordinal). Before/after: a column `period`; comparison group:
`unit` and `period`; rows of one period (unit and period) become one value of the
series (panel): the proportion, the mean, events / exposure, or the mean rank.

Header names are matched without case or accents; a metric column by its key or
its label. Empty cells are skipped and counted. The rows are never kept: each chunk
is folded into per-group sums (mean and sum of squares merged exactly, Chan et al.).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from tal.core.errors import Msg
from tal.core.text import normalise
from tal.experiments.schemas import ExperimentFile, Metric
from tal.i18n import N_
from tal.imports.csvfile import UNKNOWN_ENCODING, ImportFailure, Layout, NumberColumnsFailed, chunks, shortened, sniff

GROUP_COLUMNS = {"arm": ("arm", "bras"), "period": ("period", "periode"), "unit": ("unit", "unite")}
EXPOSURE_SUFFIXES = (".exposure", ".exposition")
TRUE = {"1", "oui", "vrai", "true"}
FALSE = {"0", "non", "faux", "false"}
MAX_GROUPS = 100_000
_BLANKS = re.compile(r"[\s\u00a0\u202f]")


class BadValue(ValueError):
    """A cell that cannot be read: `reason` says why (a message id, with the cell's text
    as `value`, translated at render time)."""

    def __init__(self, message: str, value: object, **params) -> None:
        self.reason = Msg(message, {"value": _shown(value), **params})
        super().__init__(str(self.reason))


# ---------------------------------------------------------------- one cell


def _text(value: object) -> str:
    """A category as its text (pandas reads an all-numeric column as numbers)."""
    if isinstance(value, (float, np.floating)):
        # As the user wrote it in a French spreadsheet: decimal comma.
        return str(int(value)) if value.is_integer() else repr(float(value)).replace(".", ",")
    return str(value).strip()


def _shown(value: object) -> str:
    return shortened(_text(value))


def parse_number(value: object) -> float:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _BLANKS.sub("", _text(value)).replace("\u2212", "-").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise BadValue(N_("«\u202f%(value)s\u202f» n'est pas un nombre"), value) from None
    if not math.isfinite(number):
        raise BadValue(N_("«\u202f%(value)s\u202f» n'est pas un nombre fini"), value)
    return number


def parse_binary(value: object) -> float:
    text = normalise(_text(value))
    if text in TRUE:
        return 1.0
    if text in FALSE:
        return 0.0
    raise BadValue(N_("«\u202f%(value)s\u202f» n'est ni 0/1 ni oui/non (ni vrai/faux)"), value)


def ordinal_parser(metric: Metric) -> Callable[[object], float]:
    levels = [normalise(level) for level in metric.levels or []]

    def parse(value: object) -> float:
        text = normalise(_text(value))
        if text in levels:
            return float(levels.index(text) + 1)
        if text.isdigit() and 1 <= int(text) <= len(levels):
            return float(int(text))
        raise BadValue(N_("«\u202f%(value)s\u202f» n'est ni un niveau (%(levels)s) ni un rang de 1 à %(count)s"), value,
                       levels=", ".join(metric.levels or []), count=len(levels))

    return parse


def parse_events(value: object) -> float:
    number = parse_number(value)
    if number < 0 or not number.is_integer():
        raise BadValue(N_("«\u202f%(value)s\u202f» n'est pas un nombre entier d'événements (0, 1, 2…)"), value)
    return number


def parse_exposure(value: object) -> float:
    number = parse_number(value)
    if number <= 0:
        raise BadValue(N_("«\u202f%(value)s\u202f»\u202f: l'exposition doit être strictement positive"), value)
    return number


def _check_events(values: np.ndarray) -> np.ndarray:
    return (values < 0) | (values != np.floor(values))


# ---------------------------------------------------------------- columns

MISSING_GROUP = {
    "arm": N_("colonne «\u202f%(role)s\u202f» manquante\u202f: elle dit à quel bras appartient chaque ligne"),
    "period": N_("colonne «\u202f%(role)s\u202f» manquante\u202f: elle dit à quelle période appartient chaque ligne"),
    "unit": N_("colonne «\u202f%(role)s\u202f» manquante\u202f: elle dit à quelle unité appartient chaque ligne"),
}


@dataclass
class MetricColumn:
    metric: Metric
    index: int
    exposure: int | None = None

    @property
    def parse(self) -> Callable[[object], float]:
        kind = self.metric.kind
        if kind == "binary":
            return parse_binary
        if kind == "ordinal":
            return ordinal_parser(self.metric)
        return parse_events if kind == "rate" else parse_number

    @property
    def numeric(self) -> bool:
        return self.metric.kind in ("mean", "rate")


@dataclass
class Columns:
    header: list[str]
    groups: dict[str, int]  # "arm" | "period" | "unit" -> column index
    metrics: list[MetricColumn]


def map_columns(doc: ExperimentFile, header: list[str]) -> Columns:
    """Which column is which; unknown, missing or repeated columns are errors."""
    design = doc.experiment.design
    wanted = {"randomized": ("arm",), "before_after": ("period",), "comparison_group": ("unit", "period")}[design]
    by_name: dict[str, tuple[str, object]] = {}
    for role in wanted:
        for alias in GROUP_COLUMNS[role]:
            by_name[alias] = ("group", role)
    for metric in doc.metrics:
        for name in (metric.key, metric.label):
            by_name.setdefault(normalise(name), ("metric", metric))
            for suffix in EXPOSURE_SUFFIXES:
                if metric.kind == "rate":
                    by_name.setdefault(normalise(name) + suffix, ("exposure", metric))
    groups: dict[str, int] = {}
    metrics: dict[str, MetricColumn] = {}
    exposures: dict[str, int] = {}
    if not any(normalise(name) in by_name for name in header):
        raise ImportFailure(
            N_("ce fichier n'est pas un CSV de données par unité\u202f: la première ligne doit nommer les colonnes "
               "(%(columns)s et les clés des indicateurs), séparées par des points-virgules, virgules ou tabulations"),
            line=1, columns=", ".join(wanted))
    for index, name in enumerate(header):
        found = by_name.get(normalise(name))
        if found is None:
            keys = ", ".join(m.key for m in doc.metrics) or Msg(N_("aucun"))
            raise ImportFailure(
                N_("colonne inconnue\u202f: ni une colonne de groupe (%(columns)s), ni un indicateur de l'expérimentation "
                   "(indicateurs\u202f: %(keys)s)"),
                line=1, column=name, columns=", ".join(wanted), keys=keys)
        what, target = found
        key = target if what == "group" else target.key  # type: ignore[union-attr]
        seen = groups if what == "group" else metrics if what == "metric" else exposures
        if key in seen:
            raise ImportFailure(N_("cette colonne apparaît deux fois"), line=1, column=name)
        seen[key] = index if what != "metric" else MetricColumn(target, index)  # type: ignore[arg-type, assignment]
    for role in wanted:
        if role not in groups:
            raise ImportFailure(MISSING_GROUP[role], line=1, role=role)
    if not metrics:
        raise ImportFailure(N_("aucune colonne d'indicateur\u202f: nommez chaque colonne de résultat par la clé de son indicateur"),
                            line=1)
    for key, index in exposures.items():
        if key not in metrics:
            raise ImportFailure(N_("colonne d'exposition sans la colonne de l'indicateur «\u202f%(key)s\u202f»"), line=1,
                                column=header[index], key=key)
        metrics[key].exposure = index
    return Columns(header, groups, list(metrics.values()))


# ---------------------------------------------------------------- sums


class Sums:
    """Per-group sufficient statistics of one metric, grown as groups appear."""

    def __init__(self, levels: int = 0) -> None:
        self.levels = levels
        self.n = np.zeros(0)
        self.mean = np.zeros(0)
        self.m2 = np.zeros(0)
        self.total = np.zeros(0)
        self.weight = np.zeros(0)
        self.counts = np.zeros((0, levels))
        self.skipped = 0

    def _grow(self, size: int) -> None:
        if size <= len(self.n):
            return
        extra = size - len(self.n)
        for name in ("n", "mean", "m2", "total", "weight"):
            setattr(self, name, np.concatenate([getattr(self, name), np.zeros(extra)]))
        self.counts = np.vstack([self.counts, np.zeros((extra, self.levels))])

    def add(self, groups: np.ndarray, values: np.ndarray, weights: np.ndarray | None, size: int) -> None:
        self._grow(size)
        valid = ~np.isnan(values)
        if weights is not None:
            valid &= ~np.isnan(weights)
        self.skipped += int(np.count_nonzero(~valid))
        g, v = groups[valid], values[valid]
        n_b = np.bincount(g, minlength=size).astype(float)
        total_b = np.bincount(g, weights=v, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_b = np.where(n_b > 0, total_b / n_b, 0.0)
        m2_b = np.bincount(g, weights=(v - mean_b[g]) ** 2, minlength=size)
        n_a, mean_a = self.n[:size], self.mean[:size]
        n = n_a + n_b
        delta = mean_b - mean_a
        with np.errstate(invalid="ignore", divide="ignore"):
            self.mean[:size] = np.where(n > 0, mean_a + delta * n_b / np.where(n > 0, n, 1), 0.0)
            self.m2[:size] += m2_b + np.where(n > 0, delta**2 * n_a * n_b / np.where(n > 0, n, 1), 0.0)
        self.n[:size] = n
        self.total[:size] += total_b
        self.weight[:size] += np.bincount(g, weights=weights[valid], minlength=size) if weights is not None else n_b
        if self.levels:
            ranks = v.astype(np.int64) - 1
            self.counts[:size] += np.bincount(g * self.levels + ranks, minlength=size * self.levels).reshape(size, self.levels)

    def sd(self, group: int) -> float:
        n = self.n[group]
        return float(math.sqrt(self.m2[group] / (n - 1))) if n > 1 else 0.0


# ---------------------------------------------------------------- the file


@dataclass
class Aggregate:
    """What a file holds, aggregated: the preview, and what the import records."""

    design: str
    rows: int = 0
    skipped_rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # metric key -> empty cells
    results: list[dict] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)
    panel: list[dict] = field(default_factory=list)

    @property
    def metrics(self) -> list[str]:
        return list(self.skipped)


class _Groups:
    """Group labels (arm keys, periods, unit / period pairs) -> dense ids."""

    def __init__(self) -> None:
        self.ids: dict[object, int] = {}

    def id_of(self, label: object) -> int:
        if label not in self.ids:
            if len(self.ids) >= MAX_GROUPS:
                raise ImportFailure(N_("plus de %(limit)s groupes (périodes, unités)\u202f: le fichier n'est pas agrégeable ici"),
                                    limit=MAX_GROUPS)
            self.ids[label] = len(self.ids)
        return self.ids[label]


def _first_bad(line: int, codes_or_mask: np.ndarray, column: str, reason: Msg) -> ImportFailure:
    index = int(np.flatnonzero(codes_or_mask)[0])
    return ImportFailure(reason, line=line + index, column=column)


def _parse_column(series, parse: Callable[[object], float], line: int, column: str, check=None) -> np.ndarray:
    """A chunk's column as floats, NaN where the cell is empty; the first bad cell raises."""
    if series.dtype.kind == "f":
        values = series.to_numpy(dtype=float)
        bad = ~np.isfinite(values) & ~np.isnan(values)
        if check is not None:
            bad |= check(np.nan_to_num(values))
        if bad.any():
            index = int(np.flatnonzero(bad)[0])
            try:
                parse(values[index])
            except BadValue as exc:
                raise ImportFailure(exc.reason, line=line + index, column=column) from None
        return values
    codes = series.cat.codes.to_numpy()
    parsed = np.empty(len(series.cat.categories) + 1)
    parsed[-1] = np.nan  # code -1: an empty cell
    reasons: dict[int, Msg] = {}
    for code, category in enumerate(series.cat.categories):
        if not _text(category):
            parsed[code] = np.nan
            continue
        try:
            parsed[code] = parse(category)
        except BadValue as exc:
            reasons[code] = exc.reason
    if reasons:
        index = int(np.flatnonzero(np.isin(codes, list(reasons)))[0])
        raise ImportFailure(reasons[int(codes[index])], line=line + index, column=column)
    return parsed[codes]


def _labels(series, line: int, column: str) -> tuple[np.ndarray, list[str]]:
    """A chunk's identifier column: codes (-1 when empty) and the text of each code."""
    codes = series.cat.codes.to_numpy().astype(np.int64)
    texts = [_text(c) for c in series.cat.categories]
    blank = [i for i, t in enumerate(texts) if not t]
    if blank:
        codes = np.where(np.isin(codes, blank), -1, codes)
    return codes, texts


class Aggregator:
    """Reads one file into an Aggregate for one experiment."""

    def __init__(self, doc: ExperimentFile) -> None:
        self.doc = doc
        self.design = doc.experiment.design

    def run(self, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> Aggregate:
        layout = sniff(stream)
        columns = map_columns(self.doc, layout.header)
        numbers = {c.index for c in columns.metrics if c.numeric} | {c.exposure for c in columns.metrics if c.exposure is not None}
        attempts = [(layout, numbers), (layout, set())]
        if layout.encoding == "utf-8":
            cp1252 = Layout("cp1252", layout.separator, layout.header)
            attempts += [(cp1252, numbers), (cp1252, set())]
        for attempt_layout, attempt_numbers in attempts:
            stream.seek(0)
            try:
                return self._read(stream, attempt_layout, columns, attempt_numbers, progress)
            except NumberColumnsFailed:
                continue
            except UnicodeDecodeError:
                if attempt_layout.encoding != "utf-8":
                    break
                continue
        raise ImportFailure(UNKNOWN_ENCODING)

    def _read(self, stream, layout: Layout, columns: Columns, numbers: set[int], progress) -> Aggregate:
        header = columns.header
        sums = {c.metric.key: Sums(len(c.metric.levels or []) if c.metric.kind == "ordinal" else 0) for c in columns.metrics}
        groups = _Groups()
        arms = {}
        for arm in self.doc.arms:
            arms.setdefault(normalise(arm.key), arm.key)
            arms.setdefault(normalise(arm.label), arm.key)
        out = Aggregate(self.design)
        for line, chunk in chunks(stream, layout, numbers, progress):
            size = len(next(iter(chunk.values())))
            out.rows += size
            ids = self._group_ids(chunk, columns, line, groups, arms)
            kept = ids >= 0
            out.skipped_rows += int(np.count_nonzero(~kept))
            for column in columns.metrics:
                name = header[column.index]
                check = _check_events if column.metric.kind == "rate" else None
                values = _parse_column(chunk[column.index], column.parse, line, name, check)
                weights = None
                if column.exposure is not None:
                    weights = _parse_column(chunk[column.exposure], parse_exposure, line, header[column.exposure],
                                            lambda v: v <= 0)
                    weights = weights[kept]
                elif column.metric.kind == "rate":
                    weights = np.ones(int(np.count_nonzero(kept)))
                sums[column.metric.key].add(ids[kept], values[kept], weights, len(groups.ids))
        if out.rows == 0:
            raise ImportFailure(N_("le fichier n'a aucune ligne de données sous l'en-tête"))
        for column in columns.metrics:
            out.skipped[column.metric.key] = sums[column.metric.key].skipped
        self._build(out, columns, sums, groups)
        return out

    def _group_ids(self, chunk, columns: Columns, line: int, groups: _Groups, arms: dict[str, str]) -> np.ndarray:
        """The global group id of each row of a chunk; -1 when its group cell is empty."""
        header = columns.header
        if self.design == "randomized":
            index = columns.groups["arm"]
            codes, texts = _labels(chunk[index], line, header[index])
            mapped = []
            for code, text in enumerate(texts):
                key = arms.get(normalise(text)) if text else None
                if text and key is None:
                    known = ", ".join(a.key for a in self.doc.arms)
                    unknown = Msg(N_("bras inconnu «\u202f%(arm)s\u202f» (bras\u202f: %(known)s)"),
                                  {"arm": shortened(text), "known": known})
                    raise _first_bad(line, codes == code, header[index], unknown)
                mapped.append(groups.id_of(key) if key else -1)
            table = np.array([*mapped, -1], dtype=np.int64)
            return table[codes]
        roles = ["unit", "period"] if self.design == "comparison_group" else ["period"]
        parts = [_labels(chunk[columns.groups[r]], line, header[columns.groups[r]]) for r in roles]
        combined = np.zeros(len(parts[0][0]), dtype=np.int64)
        empty = np.zeros(len(combined), dtype=bool)
        for codes, texts in parts:
            combined = combined * (len(texts) + 1) + np.where(codes < 0, len(texts), codes)
            empty |= codes < 0
        unique, inverse = np.unique(combined, return_inverse=True)
        table = np.empty(len(unique), dtype=np.int64)
        for position, value in enumerate(unique):
            label = []
            for codes, texts in reversed(parts):
                value, code = divmod(int(value), len(texts) + 1)
                label.append(texts[code] if code < len(texts) else "")
            label.reverse()
            table[position] = -1 if not all(label) else groups.id_of(tuple(label))
        ids = table[inverse.reshape(-1)]
        ids[empty] = -1
        return ids

    def _build(self, out: Aggregate, columns: Columns, sums: dict[str, Sums], groups: _Groups) -> None:
        labels = list(groups.ids)
        for column in columns.metrics:
            metric, s = column.metric, sums[column.metric.key]
            present = [g for g in range(len(labels)) if g < len(s.n) and s.n[g] > 0]
            if self.design == "randomized":
                order = {a.key: i for i, a in enumerate(self.doc.arms)}
                for g in sorted(present, key=lambda g: order[labels[g]]):
                    out.results.append({"metric": metric.key, "arm": labels[g], **self._statistics(metric, s, g)})
                continue
            values = {labels[g]: self._value(metric, s, g) for g in present}
            if self.design == "before_after":
                periods = sort_periods([label[0] for label in values])
                out.series.append({"metric": metric.key, "periods": periods,
                                   "values": [values[(p,)] for p in periods]})
            else:
                periods = sort_periods(sorted({label[1] for label in values}))
                rank = {p: i for i, p in enumerate(periods)}
                pairs = sorted(values, key=lambda label: (label[0], rank[label[1]]))
                out.panel.append({"metric": metric.key, "units": [u for u, _ in pairs], "periods": [p for _, p in pairs],
                                  "values": [values[pair] for pair in pairs]})

    @staticmethod
    def _statistics(metric: Metric, s: Sums, g: int) -> dict:
        n = int(s.n[g])
        if metric.kind == "binary":
            return {"n": n, "successes": int(round(s.total[g]))}
        if metric.kind == "mean":
            return {"n": n, "mean": float(s.mean[g]), "sd": s.sd(g)}
        if metric.kind == "rate":
            return {"events": int(round(s.total[g])), "exposure": float(s.weight[g])}
        return {"counts": [int(c) for c in s.counts[g]]}

    @staticmethod
    def _value(metric: Metric, s: Sums, g: int) -> float:
        """One period's value: proportion, mean, events per exposure, mean rank."""
        if metric.kind == "rate":
            return float(s.total[g] / s.weight[g])
        return float(s.mean[g])


def sort_periods(periods: list[str]) -> list[str]:
    """Periods in time order: numbers as numbers, ISO labels as text."""
    if all(re.fullmatch(r"-?\d+", p) for p in periods):
        return sorted(periods, key=int)
    return sorted(periods)
