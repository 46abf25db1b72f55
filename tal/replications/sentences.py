"""The pooled effect of an intervention in one plain sentence, and its figures.

« Sur 4 services, l'intervention réduit « Rendez-vous non honorés » de 4,9 points
(entre 3,1 et 6,7) ; les résultats sont cohérents d'un service à l'autre. »

The heterogeneity is worded from I². Every message goes through gettext; numbers
use the language's decimal mark, the minus sign « − » and, in French, a narrow
no-break space before « % ».
"""

from __future__ import annotations

import math
from collections.abc import Callable

from babel import numbers

from tal.i18n import N_

NNBSP = "\u202f"
MINUS = "\u2212"

HETEROGENEITY = (
    (0.25, N_("les résultats sont cohérents d'un service à l'autre")),
    (0.50, N_("les résultats varient un peu d'un service à l'autre")),
    (0.75, N_("les résultats varient nettement d'un service à l'autre")),
    (math.inf, N_("les résultats varient fortement d'un service à l'autre\u202f: l'effet dépend du contexte")),
)
REASONS = {
    "ordinal": N_("indicateur ordinal\u202f: les indicateurs ordinaux ne sont pas combinés"),
    "too_few": N_("des résultats dans moins de deux expérimentations"),
}


class Figures:
    """Numbers of one pooled metric, on the scale people read (points, %, units)."""

    def __init__(self, metric: dict, lang: str) -> None:
        self.metric = metric
        self.lang = lang
        self.kind = metric["kind"]

    def num(self, value: float | None, digits: int) -> str:
        if value is None or not math.isfinite(value):
            return "—"
        value = round(value, digits) or 0.0  # no « −0,0 »
        text = numbers.format_decimal(value, format="#,##0." + "0" * digits, locale=self.lang)
        return text.replace("-", MINUS)

    def percent(self, value: float, digits: int = 0) -> str:
        sep = NNBSP if self.lang == "fr" else ""
        return f"{self.num(100 * value, digits)}{sep}%"

    @property
    def digits(self) -> int:
        if self.kind == "binary":
            return 1
        estimate = abs(self.metric["pooled"]["estimate"])
        return 1 if estimate >= 10 else 2 if estimate >= 0.1 else 3

    def shown(self, value: float) -> float:
        """A value on the metric's scale as shown: points for proportions, % change for rates."""
        if self.kind == "binary":
            return 100 * value
        if self.kind == "rate":
            return 100 * (math.exp(value) - 1)
        return value

    def effect(self, value: float) -> str:
        """A signed effect, e.g. « −4,9 points », « −12 % », « −2,54 »."""
        if self.kind == "rate":
            sep = NNBSP if self.lang == "fr" else ""
            return f"{self.num(self.shown(value), 1)}{sep}%"
        return self.num(self.shown(value), self.digits)

    def tick(self, shown: float) -> str:
        """An axis value, already on the scale shown."""
        if self.kind == "rate":
            return f"{self.num(shown, 0)}{NNBSP if self.lang == 'fr' else ''}%"
        return self.num(shown, self.digits)

    def unit(self, gettext: Callable[[str], str]) -> str:
        return {"binary": gettext(" points"), "rate": ""}.get(self.kind, "")


def _between(figures: Figures, low: float, high: float, gettext) -> tuple[str, str, str]:
    """(estimate magnitude, low, high) as shown, magnitudes when the effect is a decrease."""
    f = figures
    estimate = f.metric["pooled"]["estimate"]
    a, b, e = f.shown(low), f.shown(high), f.shown(estimate)
    if e < 0 and b <= 0:
        a, b, e = -b, -a, -e
    if f.kind == "rate":
        percent = (NNBSP if f.lang == "fr" else "") + "%"
        return f.num(e, 1) + percent, f.num(a, 1), f.num(b, 1) + percent
    return f.num(e, f.digits) + f.unit(gettext), f.num(a, f.digits), f.num(b, f.digits)


def heterogeneity(i2: float, gettext: Callable[[str], str]) -> str:
    return gettext(next(text for bound, text in HETEROGENEITY if i2 < bound))


def sentence(metric: dict, label: str, gettext: Callable[[str], str], lang: str) -> str:
    """The plain sentence for one pooled metric of the contract's JSON."""
    _ = gettext
    f = Figures(metric, lang)
    services = {s["service"] for s in metric["studies"]}
    k = metric["k"]
    if len(services) == k:
        where = _("Sur %(k)d services") % {"k": k}
    elif len(services) == 1:
        where = _("Sur %(k)d expérimentations d'un même service") % {"k": k}
    else:
        where = _("Sur %(k)d expérimentations dans %(n)d services") % {"k": k, "n": len(services)}
    low, high = metric["pooled"]["ci"]
    estimate = metric["pooled"]["estimate"]
    size, a, b = _between(f, low, high, _)
    values = {"where": where, "metric": label, "size": size, "low": a, "high": b}
    if low > 0 or high < 0:
        template = (_("%(where)s, l'intervention réduit «\u202f%(metric)s\u202f» de %(size)s (entre %(low)s et %(high)s)")
                    if estimate < 0 else
                    _("%(where)s, l'intervention augmente «\u202f%(metric)s\u202f» de %(size)s (entre %(low)s et %(high)s)"))
    else:
        values["size"] = f.effect(estimate) + f.unit(_)
        values["low"], values["high"] = f.effect(low), f.effect(high)
        template = _("%(where)s, l'effet combiné de l'intervention sur «\u202f%(metric)s\u202f» n'est pas net\u202f: estimé à "
                     "%(size)s (entre %(low)s et %(high)s), il pourrait être nul")
    text = template % values
    text += (" ; " if lang == "fr" else "; ") + heterogeneity(metric["i2"], _) + "."
    return french_spaces(text) if lang == "fr" else text


def french_spaces(text: str) -> str:
    """Narrow no-break spaces inside « » and before ; : ! ? (French typography)."""
    text = text.replace("« ", "«" + NNBSP).replace(" »", NNBSP + "»")
    for mark in ";:!?":
        text = text.replace(" " + mark, NNBSP + mark)
    return text


def reason(code: str, gettext: Callable[[str], str]) -> str:
    return gettext(REASONS.get(code, code))
