"""A forest plot as accessible SVG: one row per replication (estimate and interval,
the dot sized by its weight), the pooled estimate as a diamond, a line at no effect.

Drawn 320 units wide with 14-unit text, so that on a phone (a 320-pixel column)
the text stays at least 12 pixels high; labels sit on their own line above each
interval. The page shows the same figures in a table.
"""

from __future__ import annotations

import hashlib
import math

from markupsafe import Markup, escape

from tal.replications.sentences import Figures

WIDTH = 320
MARGIN = 10
ROW = 46
TOP = 8
AXIS = 40


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def forest(metric: dict, title: str, description: str, names: dict[str, str], lang: str, pooled_label: str,
           no_effect_label: str) -> Markup:
    """The plot of one pooled metric of the contract's JSON; `names` labels each study."""
    f = Figures(metric, lang)
    colon = "\u202f: " if lang == "fr" else ": "
    z = 1.959963984540054
    rows = [
        (names.get(s["experiment"], s["experiment"]), s["estimate"], s["estimate"] - z * s["std_error"],
         s["estimate"] + z * s["std_error"], s["weight"])
        for s in metric["studies"]
    ]
    pooled = metric["pooled"]
    values = [f.shown(v) for _, e, lo, hi, _ in rows for v in (e, lo, hi)]
    values += [f.shown(v) for v in (pooled["estimate"], *pooled["ci"])] + [0.0]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad

    def x(value: float) -> float:
        return MARGIN + (f.shown(value) - lo) * (WIDTH - 2 * MARGIN) / (hi - lo)

    height = TOP + ROW * (len(rows) + 1) + AXIS
    bottom = height - AXIS
    zero = MARGIN + (0.0 - lo) * (WIDTH - 2 * MARGIN) / (hi - lo)
    parts = [f'<line class="ref" x1="{zero:.1f}" y1="{TOP}" x2="{zero:.1f}" y2="{bottom}"/>']
    for i, (label, est, low, high, weight) in enumerate(rows):
        y = TOP + ROW * i
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(_text(MARGIN, y + 16, f"{short}{colon}{f.effect(est)}"))
        parts.append(f'<line class="ci" x1="{x(low):.1f}" y1="{y + 32:.1f}" x2="{x(high):.1f}" y2="{y + 32:.1f}"/>')
        radius = 3 + 6 * math.sqrt(max(weight, 0.0))
        parts.append(f'<circle class="est" cx="{x(est):.1f}" cy="{y + 32:.1f}" r="{radius:.1f}"/>')
    y = TOP + ROW * len(rows)
    parts.append(_text(MARGIN, y + 16, f"{pooled_label}{colon}{f.effect(pooled['estimate'])}", cls="pooled-label"))
    cx, low, high = x(pooled["estimate"]), x(pooled["ci"][0]), x(pooled["ci"][1])
    parts.append(f'<polygon class="pooled" points="{low:.1f},{y + 32:.1f} {cx:.1f},{y + 24:.1f} {high:.1f},{y + 32:.1f} '
                 f'{cx:.1f},{y + 40:.1f}"/>')
    parts.append(f'<line class="axis" x1="{MARGIN}" y1="{bottom}" x2="{WIDTH - MARGIN}" y2="{bottom}"/>')
    parts.append(_text(MARGIN, bottom + 18, f.tick(lo)))
    parts.append(_text(WIDTH - MARGIN, bottom + 18, f.tick(hi), anchor="end"))
    parts.append(_text(min(max(zero, MARGIN + 60), WIDTH - MARGIN - 60), bottom + 34, no_effect_label, anchor="middle"))
    # An id from the content: the same data give the same page, distinct charts distinct ids.
    n = hashlib.sha256(f"{title}\x00{description}\x00{''.join(parts)}".encode()).hexdigest()[:12]
    return Markup(
        f'<svg class="chart forest" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="forest-{n}-t forest-{n}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="forest-{n}-t">{escape(title)}</title><desc id="forest-{n}-d">{escape(description)}</desc>'
        f'{"".join(parts)}</svg>'
    )
