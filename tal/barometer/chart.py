"""The relation chart: for each service, its psychological safety (dot and 95 % interval
on the 1–7 scale) and, on the same row, the entries it shared in the journal (a bar), as
an accessible SVG; the figures are also in a table next to it. It puts two measures
side by side, not a cause."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 640
LABEL, SCALE_RIGHT, BARS_LEFT, RIGHT = 170, 420, 450, 40
TOP, ROW, BOTTOM = 34, 34, 26


def _text(x: float, y: float, text: str, anchor: str = "middle", cls: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{escape(text)}</text>'


def relation(title: str, description: str, scale_label: str, bars_label: str,
             rows: Sequence[tuple[str, float, tuple[float, float] | None, int]], fmt) -> Markup:
    """Rows (label, mean score 1–7, interval, entries shared)."""
    height = TOP + ROW * len(rows) + BOTTOM
    most = max([1, *(r[3] for r in rows)])

    def x(v: float) -> float:
        return LABEL + (min(7.0, max(1.0, v)) - 1) * (SCALE_RIGHT - LABEL) / 6

    def bar(n: int) -> float:
        return n * (WIDTH - RIGHT - BARS_LEFT) / most

    parts = [_text(LABEL, 14, scale_label, "start"), _text(BARS_LEFT, 14, bars_label, "start")]
    for v in (1, 4, 7):
        parts.append(f'<line class="axis" x1="{x(v):.1f}" y1="{TOP - 8}" x2="{x(v):.1f}" y2="{height - BOTTOM}"/>')
        parts.append(_text(x(v), height - BOTTOM + 16, str(v)))
    for i, (label, mean, ci, entries) in enumerate(rows):
        y = TOP + ROW * i + ROW / 2
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(_text(LABEL - 10, y + 4, short, "end"))
        if ci is not None:
            parts.append(f'<line class="ci" x1="{x(ci[0]):.1f}" y1="{y:.1f}" x2="{x(ci[1]):.1f}" y2="{y:.1f}"/>')
        parts.append(f'<circle class="est" cx="{x(mean):.1f}" cy="{y:.1f}" r="6"/>')
        parts.append(_text(x(mean), y - 9, fmt(mean)))
        parts.append(f'<rect class="bar" x="{BARS_LEFT}" y="{y - 8:.1f}" width="{bar(entries):.1f}" height="16"/>')
        parts.append(_text(BARS_LEFT + bar(entries) + 6, y + 4, str(entries), "start"))
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="relation-t relation-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="relation-t">{escape(title)}</title>'
        f'<desc id="relation-d">{escape(description)}</desc>{"".join(parts)}</svg>'
    )
