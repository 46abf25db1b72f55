"""Charts drawn on the server as accessible SVG: role="img", a title and a text
description; the figures are also in a table next to each chart.

- randomized: each arm's estimate with its interval, against no effect and the mde;
- before/after: the series, the fitted segments and the trend without the change;
- comparison group: the mean of each group over time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 200, 20, 20, 40


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) * (b - a) / span


def _svg(title: str, description: str, body: str, height: int = HEIGHT) -> Markup:
    # An id from the content: the same data give the same page (ETag), distinct charts distinct ids.
    n = hashlib.sha256(f"{title}\x00{description}\x00{body}".encode()).hexdigest()[:12]
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-{n}-t chart-{n}-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-{n}-t">{escape(title)}</title>'
        f'<desc id="chart-{n}-d">{escape(description)}</desc>{body}</svg>'
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", cls: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{escape(text)}</text>'


def intervals(
    title: str,
    description: str,
    rows: Sequence[tuple[str, float, float, float]],
    reference: float,
    margins: Sequence[float],
    fmt,
) -> Markup:
    """Estimates (label, estimate, low, high) against a reference and the mde lines."""
    values = [v for _, e, lo, hi in rows for v in (e, lo, hi)] + [reference, *margins]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 1.0
    x = _scale(lo - pad, hi + pad, LEFT, WIDTH - RIGHT)
    row_h = 44
    height = TOP + BOTTOM + row_h * len(rows)
    parts = [
        f'<line class="ref" x1="{x(reference):.1f}" y1="{TOP}" x2="{x(reference):.1f}" y2="{height - BOTTOM}"/>',
        _text(x(reference), height - BOTTOM + 16, fmt(reference)),
    ]
    for m in margins:
        parts.append(f'<line class="mde" x1="{x(m):.1f}" y1="{TOP}" x2="{x(m):.1f}" y2="{height - BOTTOM}"/>')
        parts.append(_text(x(m), height - BOTTOM + 30, fmt(m), cls="mde-label"))
    for i, (label, est, low, high) in enumerate(rows):
        y = TOP + row_h * i + row_h / 2
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(_text(LEFT - 10, y + 4, short, anchor="end"))
        parts.append(f'<line class="ci" x1="{x(low):.1f}" y1="{y:.1f}" x2="{x(high):.1f}" y2="{y:.1f}"/>')
        parts.append(f'<circle class="est" cx="{x(est):.1f}" cy="{y:.1f}" r="6"/>')
        parts.append(_text(x(est), y - 10, fmt(est)))
    return _svg(title, description, "".join(parts), height)


def lines(
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    marker: int | None,
    points: Sequence[float] | None = None,
) -> Markup:
    """Lines over periods: (css class, legend, values); optional observed points and a
    vertical marker at the first period with the change."""
    values = [v for _, _, vs in series for v in vs if v is not None] + list(points or [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 1.0
    left = 60
    x = _scale(0, max(1, len(periods) - 1), left, WIDTH - RIGHT)
    y = _scale(lo - pad, hi + pad, HEIGHT - BOTTOM, TOP)
    parts = [
        f'<line class="axis" x1="{left}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}"/>',
        _text(left - 6, y(hi) + 4, f"{hi:.4g}", anchor="end"),
        _text(left - 6, y(lo) + 4, f"{lo:.4g}", anchor="end"),
        _text(left, HEIGHT - BOTTOM + 16, periods[0], anchor="start"),
        _text(WIDTH - RIGHT, HEIGHT - BOTTOM + 16, periods[-1], anchor="end"),
    ]
    if marker is not None:
        parts.append(f'<line class="marker" x1="{x(marker):.1f}" y1="{TOP}" x2="{x(marker):.1f}" y2="{HEIGHT - BOTTOM}"/>')
        parts.append(_text(x(marker), HEIGHT - BOTTOM + 30, periods[marker]))
    for i, v in enumerate(points or []):
        parts.append(f'<circle class="obs" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5"/>')
    for j, (cls, legend, vs) in enumerate(series):
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs) if v is not None)
        parts.append(f'<polyline class="{cls}" points="{coords}"/>')
        parts.append(f'<line class="{cls}" x1="{left + 10 + 190 * j}" y1="8" x2="{left + 34 + 190 * j}" y2="8"/>')
        parts.append(_text(left + 40 + 190 * j, 12, legend, anchor="start", cls="legend"))
    return _svg(title, description, "".join(parts))
