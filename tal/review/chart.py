"""An accessible horizontal bar chart (SVG): a title, a description giving every figure,
and the figures written next to the bars. The page shows the same figures in a table."""

from __future__ import annotations

from markupsafe import Markup, escape

# Drawn 320 units wide with 14-unit text, like the experiment charts: in a phone's
# 320-pixel column the text stays at least 12 pixels high (tal.css caps the width on a
# desktop). Each label has its own line above its bar, so that long labels are never cut.
WIDTH = 320
LINE = 18
BAR = 14
GAP = 10
VALUE = 40  # room for the figure written after the longest bar


def bars(title: str, description: str, rows: list[tuple[str, int]], ident: str) -> Markup:
    row_height = LINE + BAR + GAP
    height = len(rows) * row_height + GAP
    top = max([n for _, n in rows] + [1])
    span = WIDTH - VALUE
    parts = []
    for i, (label, n) in enumerate(rows):
        y = GAP + i * row_height
        w = span * n / top
        parts.append(f'<text x="0" y="{y + LINE - 5}" class="chart-label">{escape(label)}</text>')
        parts.append(f'<rect x="0" y="{y + LINE}" width="{w:.1f}" height="{BAR}" class="chart-bar"></rect>')
        parts.append(f'<text x="{w + 6:.1f}" y="{y + LINE + BAR - 2}" class="chart-value">{n}</text>')
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart review-chart" '
        f'aria-labelledby="{ident}-t {ident}-d"><title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>{"".join(parts)}</svg>'
    )
