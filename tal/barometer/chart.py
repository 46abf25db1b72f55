"""The relation chart: for each service, its psychological safety (dot and 95 % interval
on the 1–7 scale) and, on the same row, the entries it shared in the journal (a bar), as
an accessible SVG; the figures are also in a table next to it. It puts two measures
side by side, not a cause."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from tal.core.text import wrap

# 320 units wide with 14-unit text (tal.css), like the other charts: readable on a
# phone. A legend line per measure on top; per service, its full name (wrapped) on
# its own line, then the score on the 1–7 scale (left) and the bar (right).
WIDTH = 320
LEFT, SCALE_RIGHT, BARS_LEFT, RIGHT = 14, 186, 206, 34
LINE, TOP, BOTTOM = 18, 2 * 18 + 14, 26


def _text(x: float, y: float, text: str, anchor: str = "middle", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def relation(title: str, description: str, scale_label: str, bars_label: str,
             rows: Sequence[tuple[str, float, tuple[float, float] | None, int]], fmt) -> Markup:
    """Rows (label, mean score 1–7, interval, entries shared)."""
    most = max([1, *(r[3] for r in rows)])

    def x(v: float) -> float:
        return LEFT + (min(7.0, max(1.0, v)) - 1) * (SCALE_RIGHT - LEFT) / 6

    def bar(n: int) -> float:
        return n * (WIDTH - RIGHT - BARS_LEFT) / most

    parts = [f'<circle class="est" cx="{LEFT + 6}" cy="{LINE - 5}" r="6"/>', _text(LEFT + 18, LINE, scale_label, "start"),
             f'<rect class="bar" x="{LEFT}" y="{2 * LINE - 11}" width="12" height="12"/>',
             _text(LEFT + 18, 2 * LINE, bars_label, "start")]
    y = TOP
    for label, mean, ci, entries in rows:
        for line in wrap(label, 36):
            parts.append(_text(LEFT, y + 14, line, "start"))
            y += LINE
        y += 22
        if ci is not None:
            parts.append(f'<line class="ci" x1="{x(ci[0]):.1f}" y1="{y:.1f}" x2="{x(ci[1]):.1f}" y2="{y:.1f}"/>')
        parts.append(f'<circle class="est" cx="{x(mean):.1f}" cy="{y:.1f}" r="6"/>')
        parts.append(_text(x(mean), y - 9, fmt(mean)))
        parts.append(f'<rect class="bar" x="{BARS_LEFT}" y="{y - 8:.1f}" width="{bar(entries):.1f}" height="16"/>')
        parts.append(_text(BARS_LEFT + bar(entries) + 6, y + 5, str(entries), "start"))
        y += 16
    height = y + BOTTOM
    for v in (1, 4, 7):
        parts.append(f'<line class="axis" x1="{x(v):.1f}" y1="{TOP}" x2="{x(v):.1f}" y2="{y}"/>')
        parts.append(_text(x(v), y + 18, str(v)))
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="relation-t relation-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="relation-t">{escape(title)}</title>'
        f'<desc id="relation-d">{escape(description)}</desc>{"".join(parts)}</svg>'
    )
