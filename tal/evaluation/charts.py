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

from tal.core.text import wrap

# Drawn 320 units wide with 14-unit text (tal.css), like the forest plots: in a phone's
# 320-pixel column the text stays at least 12 pixels high, and the figure is capped
# on a desktop so that it does not grow huge. Labels are never cut: they wrap.
WIDTH, HEIGHT = 320, 240
LEFT, RIGHT, TOP, BOTTOM = 10, 10, 8, 44
LINE = 18


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
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def _tick_anchor(x: float) -> str:
    return "start" if x < LEFT + 40 else "end" if x > WIDTH - RIGHT - 40 else "middle"


def intervals(
    title: str,
    description: str,
    rows: Sequence[tuple[str, float, float, float]],
    reference: float,
    margins: Sequence[float],
    fmt,
    reference_label: str = "",
    margin_label: str = "",
    colon: str = ": ",
    harm: int = 0,
) -> Markup:
    """Estimates (label, estimate, low, high) against a reference and the mde lines.
    Each row: its full label (wrapped) with the estimate, then the interval under it.
    Under the axis: the reference and each margin, labelled.

    `harm` (+1 or −1, for a guardrail): the side of the axis where the metric gets
    worse; the first margin is then the harm threshold, and the zone beyond it, on
    that side, is shaded."""
    values = [v for _, e, lo, hi in rows for v in (e, lo, hi)] + [reference, *margins]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 1.0
    x = _scale(lo - pad, hi + pad, LEFT, WIDTH - RIGHT)
    parts, y = [], TOP
    for label, est, low, high in rows:
        lines = wrap(label, 36)
        lines[-1] += f"{colon}{fmt(est)}"
        for line in lines:
            y += LINE
            parts.append(_text(LEFT, y, line, anchor="start"))
        y += 16
        parts.append(f'<line class="ci" x1="{x(low):.1f}" y1="{y:.1f}" x2="{x(high):.1f}" y2="{y:.1f}"/>')
        parts.append(f'<circle class="est" cx="{x(est):.1f}" cy="{y:.1f}" r="6"/>')
        y += 12
    bottom = y + 6
    height = bottom + BOTTOM + (LINE if margins else 0)
    parts.insert(0, f'<line class="ref" x1="{x(reference):.1f}" y1="{TOP}" x2="{x(reference):.1f}" y2="{bottom}"/>')
    if harm and margins:
        start, end = (x(margins[0]), WIDTH - RIGHT) if harm > 0 else (LEFT, x(margins[0]))
        parts.insert(0, f'<rect class="harm-zone" x="{start:.1f}" y="{TOP}" width="{max(0.0, end - start):.1f}" '
                        f'height="{bottom - TOP:.1f}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}"/>')
    parts.append(f'<line class="axis" x1="{x(reference):.1f}" y1="{bottom}" x2="{x(reference):.1f}" y2="{bottom + 5}"/>')
    ref_text = f"{reference_label}{colon}{fmt(reference)}" if reference_label else fmt(reference)
    parts.append(_text(x(reference), bottom + LINE, ref_text, anchor=_tick_anchor(x(reference))))
    for i, m in enumerate(margins):
        parts.append(f'<line class="mde" x1="{x(m):.1f}" y1="{TOP}" x2="{x(m):.1f}" y2="{bottom + 5}"/>')
        text = f"{margin_label}{colon}{fmt(m)}" if margin_label else fmt(m)
        parts.append(_text(x(m), bottom + LINE * (2 + i), text, anchor=_tick_anchor(x(m)), cls="mde-label"))
    return _svg(title, description, "".join(parts), int(height))


def lines(
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    marker: int | None,
    points: Sequence[float] | None = None,
    fmt=None,
    marker_label: str = "",
    colon: str = ": ",
) -> Markup:
    """Lines over periods: (css class, legend, values); optional observed points and a
    vertical marker at the first period with the change, labelled. The legend sits
    above the plot, one line per series; the value axis has three ticks."""
    fmt = fmt or (lambda v: f"{v:.4g}")
    values = [v for _, _, vs in series for v in vs if v is not None] + list(points or [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 1.0
    top = TOP + LINE * len(series) + 10
    bottom = top + 170
    ticks = [lo, (lo + hi) / 2, hi]
    left = LEFT + 8 * max(len(fmt(t)) for t in ticks) + 8
    x = _scale(0, max(1, len(periods) - 1), left, WIDTH - RIGHT)
    y = _scale(lo - pad, hi + pad, bottom, top)
    parts = [
        f'<line class="axis" x1="{left}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>',
        _text(left, bottom + LINE, periods[0], anchor="start"),
        _text(WIDTH - RIGHT, bottom + LINE, periods[-1], anchor="end"),
    ]
    for t in ticks:
        parts.append(f'<line class="axis" x1="{left - 4}" y1="{y(t):.1f}" x2="{left}" y2="{y(t):.1f}"/>')
        parts.append(_text(left - 6, y(t) + 5, fmt(t), anchor="end"))
    if marker is not None:
        parts.append(f'<line class="marker" x1="{x(marker):.1f}" y1="{top}" x2="{x(marker):.1f}" y2="{bottom + 5}"/>')
        text = f"{marker_label}{colon}{periods[marker]}" if marker_label else periods[marker]
        parts.append(_text(x(marker), bottom + LINE * 2, text, anchor=_tick_anchor(x(marker)), cls="marker-label"))
    for i, v in enumerate(points or []):
        parts.append(f'<circle class="obs" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5"/>')
    for j, (cls, legend, vs) in enumerate(series):
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs) if v is not None)
        parts.append(f'<polyline class="{cls}" points="{coords}"/>')
        ly = TOP + LINE * j + 10
        parts.append(f'<line class="{cls}" x1="{LEFT}" y1="{ly - 5}" x2="{LEFT + 24}" y2="{ly - 5}"/>')
        parts.append(_text(LEFT + 30, ly, legend, anchor="start", cls="legend"))
    return _svg(title, description, "".join(parts), bottom + LINE * (3 if marker is not None else 2))
