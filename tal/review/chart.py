"""An accessible horizontal bar chart (SVG): a title, a description giving every figure,
and the figures written next to the bars. The page shows the same figures in a table."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH = 560
BAR = 22
GAP = 8
LABEL = 230


def bars(title: str, description: str, rows: list[tuple[str, int]], ident: str) -> Markup:
    height = len(rows) * (BAR + GAP) + GAP
    top = max([n for _, n in rows] + [1])
    span = WIDTH - LABEL - 60
    parts = []
    for i, (label, n) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        w = span * n / top
        parts.append(f'<text x="{LABEL - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end" class="chart-label">'
                     f'{escape(label)}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y}" width="{w:.1f}" height="{BAR}" class="chart-bar"></rect>')
        parts.append(f'<text x="{LABEL + w + 6:.1f}" y="{y + BAR * 0.7:.1f}" class="chart-value">{n}</text>')
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart review-chart" '
        f'aria-labelledby="{ident}-t {ident}-d"><title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>{"".join(parts)}</svg>'
    )
