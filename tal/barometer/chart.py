"""The relation chart: each service's psychological safety (with its interval) against
the entries it shared in the journal, as an accessible SVG (the figures are also in a
table next to it). It shows two measures side by side, not a cause."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 50, 30, 20, 46


def _text(x: float, y: float, text: str, anchor: str = "middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def relation(title: str, description: str, x_label: str, y_label: str,
             points: Sequence[tuple[str, int, float, tuple[float, float] | None]], fmt) -> Markup:
    """Points (label, entries shared, mean score 1–7, interval)."""
    top = max([1, *(p[1] for p in points)])

    def x(v: float) -> float:
        return LEFT + v * (WIDTH - LEFT - RIGHT) / top

    def y(v: float) -> float:
        return TOP + (7 - v) * (HEIGHT - TOP - BOTTOM) / 6

    parts = [
        f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}"/>',
        _text(LEFT - 6, y(7) + 4, "7", "end"), _text(LEFT - 6, y(4) + 4, "4", "end"), _text(LEFT - 6, y(1) + 4, "1", "end"),
        _text(LEFT, HEIGHT - BOTTOM + 16, "0"), _text(x(top), HEIGHT - BOTTOM + 16, str(top)),
        _text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 8, x_label),
        _text(LEFT + 4, TOP - 6, y_label, "start"),
    ]
    for label, entries, mean, ci in points:
        cx, cy = x(entries), y(mean)
        if ci is not None:
            parts.append(f'<line class="ci" x1="{cx:.1f}" y1="{y(max(1.0, ci[0])):.1f}" x2="{cx:.1f}" '
                         f'y2="{y(min(7.0, ci[1])):.1f}"/>')
        parts.append(f'<circle class="est" cx="{cx:.1f}" cy="{cy:.1f}" r="6"><title>{escape(label)} : '
                     f'{escape(fmt(mean))}</title></circle>')
        short = label if len(label) <= 28 else label[:27] + "…"
        anchor = "end" if cx > WIDTH * 0.7 else "start"
        parts.append(_text(cx + (-10 if anchor == "end" else 10), cy - 8, short, anchor))
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="relation-t relation-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="relation-t">{escape(title)}</title>'
        f'<desc id="relation-d">{escape(description)}</desc>{"".join(parts)}</svg>'
    )
