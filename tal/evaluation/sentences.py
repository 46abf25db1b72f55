"""One plain sentence per comparison, that a non-statistician understands.

« Avec le rappel SMS, 12,4 % de rendez-vous non honorés contre 17,5 % avec la
convocation actuelle : 5,1 points de pourcentage de moins (entre 2,2 et 7,9 points de
pourcentage, intervalle à 95 %). L'hypothèse est confirmée. »

Every sentence goes through gettext; numbers are formatted for the language and for
the metric: percentages for proportions, three significant digits otherwise, the
minus sign « − », a narrow no-break space before « % ». The interval next to the
verdict is the one the verdict is read from (``verdict_ci`` when it differs from the
estimate's); before/after and comparison-group results say what the design allows.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from babel import numbers

from tal.i18n import N_

NNBSP = "\u202f"
MINUS = "\u2212"
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

VERDICTS = {
    "confirmed": N_("L'hypothèse est confirmée."),
    "below_useful_effect": N_("Effet réel, mais inférieur à l'effet utile fixé au plan."),
    "contradicted": N_("L'hypothèse est contredite\u202f: l'effet va dans le sens opposé à celui prévu."),
    "no_useful_effect": N_("Pas d'effet utile\u202f: l'intervalle exclut tout effet au moins égal à l'effet minimal visé."),
    "inconclusive": N_("Pas de conclusion possible avec ces données."),
    "guardrail_ok": N_("Garde-fou respecté."),
    "guardrail_breached": N_("Garde-fou franchi\u202f: l'indicateur s'est dégradé."),
    "too_short": N_("Pas de verdict : ces données ne permettent pas de conclure avec ce plan."),
}
# Designs that cannot exclude other causes never say « L'hypothèse est confirmée » bare.
VERDICTS_OBSERVATIONAL = {
    "confirmed": N_(
        "Les données sont compatibles avec l'hypothèse\u202f; ce plan ne permet pas d'exclure d'autres causes."
    ),
    "below_useful_effect": N_(
        "Les données sont compatibles avec un effet, inférieur à l'effet utile fixé au plan\u202f; ce plan ne "
        "permet pas d'exclure d'autres causes."
    ),
    "contradicted": N_(
        "Les données vont dans le sens opposé à celui prévu\u202f; ce plan ne permet pas d'exclure d'autres causes."
    ),
}
VERDICT_SHORT = {
    "confirmed": N_("Confirmée"),
    "below_useful_effect": N_("Effet inférieur à l'effet utile"),
    "contradicted": N_("Contredite"),
    "no_useful_effect": N_("Pas d'effet utile"),
    "inconclusive": N_("Non concluante"),
    "guardrail_ok": N_("Garde-fou respecté"),
    "guardrail_breached": N_("Garde-fou franchi"),
    "too_short": N_("Trop peu de données pour conclure"),
}
VERDICT_SHORT_OBSERVATIONAL = {
    "confirmed": N_("Compatible avec l'hypothèse"),
    "contradicted": N_("Sens opposé à l'hypothèse"),
}
INTERIM_SHORT = N_("résultat intermédiaire")
METHODS = {
    "pooled z-test": N_("test z de deux proportions"),
    "Fisher exact test": N_("test exact de Fisher"),
    "Welch t-test": N_("test t de Welch"),
    "score test": N_("test du score"),
    "exact conditional test": N_("test exact conditionnel"),
    "Brunner-Munzel": N_("test de Brunner-Munzel"),
    "exact sign test on pairs (complete separation)": N_("test exact des signes sur des paires (bras séparés)"),
    "segmented regression, AR(1) GLS (REML), Satterthwaite t": N_(
        "régression segmentée avec erreurs autocorrélées (REML, t de Satterthwaite)"
    ),
    "segmented quasi-Poisson regression, log(exposure) offset": N_(
        "régression segmentée de quasi-Poisson sur les comptes, rapportés à l'exposition"
    ),
    "segmented quasi-Poisson regression, log(exposure) offset, Fourier terms": N_(
        "régression segmentée de quasi-Poisson sur les comptes, rapportés à l'exposition, avec saisonnalité"
    ),
    "difference in differences, randomization inference over units": N_(
        "différence des différences, test de permutation des unités"
    ),
}


def observational(c: dict) -> bool:
    """Before/after and comparison-group comparisons (their arms are fixed labels)."""
    return c.get("arm") in ("après", "traités")


def verdict_label(c: dict, gettext: Callable[[str], str]) -> str:
    verdict = c.get("verdict")
    if not verdict:
        return ""
    labels = VERDICT_SHORT_OBSERVATIONAL if observational(c) and verdict in VERDICT_SHORT_OBSERVATIONAL else VERDICT_SHORT
    label = gettext(labels.get(verdict, verdict))
    if c.get("interim"):
        label = f"{label} ({gettext(INTERIM_SHORT)})"
    return label


def method_label(method: str | None, gettext: Callable[[str], str]) -> str:
    if not method:
        return "—"
    return gettext(METHODS[method]) if method in METHODS else gettext(method)


class Phrase:
    """Formats numbers and builds sentences in one language."""

    def __init__(self, gettext: Callable[[str], str], lang: str) -> None:
        self._ = gettext
        self.lang = lang

    # ------------------------------------------------------------------ numbers

    def num(self, value: float | None, digits: int = 1) -> str:
        """A number with ``digits`` decimals, « − » for negatives, never « −0,0 »."""
        if value is None or not math.isfinite(value):
            return "—"
        rounded = round(value, digits)
        if rounded == 0:
            rounded = 0.0  # no negative zero
        text = numbers.format_decimal(abs(rounded), format="#,##0." + "0" * digits if digits else "#,##0",
                                      locale=self.lang)
        return (MINUS if rounded < 0 else "") + text

    @staticmethod
    def decimals(*values: float | None, significant: int = 3) -> int:
        """Decimals giving ``significant`` digits to the largest of the values (0 to 8)."""
        finite = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
        if not finite:
            return 1
        return max(0, min(8, significant - 1 - math.floor(math.log10(max(finite)))))

    def sig(self, value: float | None, *scale: float | None) -> str:
        """A number with three significant digits, on the scale of itself and ``scale``."""
        return self.scaled(value, *scale)(value)

    def scaled(self, *values: float | None, significant: int = 3) -> Callable[[float | None], str]:
        """Formatter giving ``significant`` digits to the largest of the values; under
        10⁻⁶, where eight decimals would show « 0,00000000 », a power of ten common to
        the values (« 2,37 × 10⁻¹⁰ »)."""
        finite = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
        if not finite or max(finite) >= 1e-6:
            digits = self.decimals(*values, significant=significant)
            return lambda v: self.num(v, digits)
        exponent = math.floor(math.log10(max(finite)))
        power = "10" + str(exponent).translate(SUPERSCRIPTS)

        def fmt(v: float | None) -> str:
            if v is None or not math.isfinite(v):
                return "—"
            mantissa = self.num(v / 10.0**exponent, significant - 1)
            return mantissa if v == 0 else f"{mantissa}{NNBSP}×{NNBSP}{power}"
        return fmt

    @property
    def _percent(self) -> str:
        return NNBSP + "%" if self.lang == "fr" else "%"

    def _singular(self, value: float) -> bool:
        """French: singular below 2 (« 1,5 point »); English: exactly 1."""
        return value < 2 if self.lang == "fr" else value == 1

    def pct(self, value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{self.num(100 * value, digits)}{self._percent}"

    def points(self, value: float) -> str:
        """« 1,2 point de pourcentage », « 5,1 points de pourcentage » (singular below 2)."""
        shown = self.num(abs(value), 1)
        if self._singular(round(abs(value), 1)):
            return self._("%(n)s point de pourcentage") % {"n": shown}
        return self._("%(n)s points de pourcentage") % {"n": shown}

    def p_value(self, value: float | None) -> str:
        """« p = 0,0123 », « p < 0,0001 »."""
        if value is None:
            return "p = —"
        if value < 0.0001:
            return "p < " + self.num(0.0001, 4)
        return "p = " + self.num(value, 4)

    def units(self, n: float) -> str:
        shown = self.num(n, 0)
        return (self._("%(n)s unité") if self._singular(n) else self._("%(n)s unités")) % {"n": shown}

    def between(self, low: float | None, high: float | None, fmt: Callable[[float], str]) -> str:
        if low is None and high is None:
            return self._("intervalle non estimable")
        if high is None:
            return self._("au-dessus de %(low)s") % {"low": fmt(low)}
        if low is None:
            return self._("au-dessous de %(high)s") % {"high": fmt(high)}
        return self._("entre %(low)s et %(high)s") % {"low": fmt(low), "high": fmt(high)}

    def level(self, confidence: float) -> str:
        digits = 0 if abs(round(100 * confidence) - 100 * confidence) < 1e-9 else 1
        return f"{self.num(100 * confidence, digits)}{self._percent}"

    # ------------------------------------------------------------------ sentences

    def too_short(self, why: dict) -> str:
        """Why the design cannot conclude on these data, and what it would need."""
        _ = self._
        if "periods_before" in why:
            return _(
                "Série trop courte pour conclure : %(before)s période(s) avant le changement et %(after)s après ; "
                "il en faut au moins %(side)s de chaque côté et %(total)s en tout pour que le taux d'erreur annoncé soit tenu."
            ) % {"before": why["periods_before"], "after": why["periods_after"], "side": why["per_side_needed"],
                  "total": why["periods_needed"]}
        if min(why["treated_units"], why["comparison_units"]) < 2:
            return _(
                "Trop peu d'unités pour conclure : %(treated)s unité(s) concernée(s) et %(comparison)s de comparaison ; "
                "il en faut au moins deux de chaque côté."
            ) % {"treated": why["treated_units"], "comparison": why["comparison_units"]}
        return _(
            "Trop peu d'unités pour conclure : avec %(treated)s unités concernées et %(comparison)s de comparaison, "
            "même l'écart le plus net donnerait une p-value d'au moins %(p)s, au-dessus du seuil de %(alpha)s ; "
            "il faudrait plus d'unités, concernées ou de comparaison."
        ) % {"treated": why["treated_units"], "comparison": why["comparison_units"],
              "p": self.num(why["smallest_p_value"], 3), "alpha": self.num(why["alpha"], 2)}

    def sentence(self, c: dict, metric: str, arm: str, control: str) -> str:
        """The sentence for one comparison of the evaluation JSON."""
        _ = self._
        if c.get("not_estimable") and c.get("difference") is None and c.get("probability_of_superiority") is None:
            return _("Résultat non estimable\u202f: %(why)s") % {"why": _(c["not_estimable"])}
        level = self.level(1 - c.get("alpha", 0.05))
        body = self._body(c, metric, arm, control, level)
        parts = []
        if c.get("interim"):
            parts.append(self._interim(c))
        parts.append(body)
        read = self._verdict_interval(c)
        if read:
            parts.append(read)
        parts.append(self._verdict(c))
        return self.typography(" ".join(p for p in parts if p).strip())

    def typography(self, text: str) -> str:
        """French typography: a narrow no-break space before ; : ! ? % and inside « »."""
        if self.lang != "fr":
            return text
        for before, after in ((" ;", NNBSP + ";"), (" :", NNBSP + ":"), (" !", NNBSP + "!"), (" ?", NNBSP + "?"),
                              (" %", NNBSP + "%"), ("« ", "«" + NNBSP), (" »", NNBSP + "»")):
            text = text.replace(before, after)
        return text

    def _body(self, c: dict, metric: str, arm: str, control: str, level: str) -> str:
        _ = self._
        kind = c["kind"]
        low, high = c.get("difference_ci") or (None, None)
        if c.get("too_short"):
            return self.too_short(c["too_short"])
        if c["arm"] == "après" and kind == "rate" and c.get("ratio") is not None:
            r_low, r_high = c.get("ratio_ci") or (None, None)
            return _(
                "Après le changement, %(metric)s\u202f: %(ratio)s fois le taux attendu sans changement, "
                "en tenant compte de la tendance%(seasons)s (%(ci)s, intervalle à %(level)s)."
            ) % {
                "metric": metric, "ratio": self.num(c["ratio"], 3),
                "seasons": _(" et des saisons") if c.get("seasonal") else "",
                "ci": self.between(r_low, r_high, lambda v: self.num(v, 3)), "level": level,
            }
        if observational(c):
            if kind == "binary":
                value, diff = self.pct, self.signed_points
                fmt = lambda v: self.num(100 * v, 1)  # noqa: E731
                unit = _(" points de pourcentage")
            else:
                scale = (c.get("arm_value"), c.get("control_value"), c.get("difference"), low, high)
                value = diff = fmt = self.scaled(*scale)
                unit = ""
            values = {"metric": metric, "arm": value(c["arm_value"]), "control": value(c["control_value"]),
                      "diff": diff(c["difference"]), "ci": self.between(low, high, fmt) + unit, "level": level}
            if c["arm"] == "après":
                return _(
                    "Après le changement, %(metric)s\u202f: %(arm)s à la dernière période, contre %(control)s attendu "
                    "sans changement, soit un écart de %(diff)s (%(ci)s, intervalle à %(level)s)."
                ) % values
            return _(
                "Dans les unités concernées, %(metric)s a évolué de %(arm)s, contre %(control)s dans les unités "
                "de comparaison\u202f: une différence des différences de %(diff)s (%(ci)s, intervalle à %(level)s)."
            ) % values
        if kind == "binary":
            diff = c["difference"]
            if low is not None and high is not None and diff < 0:
                low, high = -high, -low
            if round(abs(100 * diff), 1) == 0:
                change = _("pas d'écart au dixième de point près")
            else:
                change = (_("%(points)s de plus") if diff > 0 else _("%(points)s de moins")) % {
                    "points": self.points(100 * diff)}
            return _(
                "Avec «\u202f%(arm)s\u202f», %(arm_value)s pour «\u202f%(metric)s\u202f» contre %(control_value)s avec «\u202f%(control)s\u202f»\u202f: "
                "%(change)s (%(ci)s, intervalle à %(level)s)."
            ) % {
                "arm": arm, "metric": metric, "control": control,
                "arm_value": self.pct(c["arm_value"]), "control_value": self.pct(c["control_value"]),
                "change": change, "level": level,
                "ci": self.between(low, high, lambda v: self.num(100 * v, 1)) + _(" points de pourcentage"),
            }
        if kind == "mean":
            fmt = self.scaled(c["arm_value"], c["control_value"], c["difference"], low, high)
            return _(
                "Avec «\u202f%(arm)s\u202f», «\u202f%(metric)s\u202f» vaut %(arm_value)s en moyenne, contre %(control_value)s avec "
                "«\u202f%(control)s\u202f»\u202f: un écart de %(diff)s (%(ci)s, intervalle à %(level)s)."
            ) % {
                "arm": arm, "metric": metric, "control": control, "arm_value": fmt(c["arm_value"]),
                "control_value": fmt(c["control_value"]), "diff": fmt(c["difference"]),
                "ci": self.between(low, high, fmt), "level": level,
            }
        if kind == "rate":
            fmt = self.scaled(c["arm_value"], c["control_value"])
            return _(
                "Avec «\u202f%(arm)s\u202f», «\u202f%(metric)s\u202f»\u202f: %(arm_value)s par unité d'exposition, contre %(control_value)s "
                "avec «\u202f%(control)s\u202f», soit %(ratio)s fois le taux du témoin (%(ci)s, intervalle à %(level)s)."
            ) % {
                "arm": arm, "metric": metric, "control": control, "arm_value": fmt(c["arm_value"]),
                "control_value": fmt(c["control_value"]), "ratio": self.num(c["ratio"], 2),
                "ci": self.between(*(c["ratio_ci"] or (None, None)), lambda v: self.num(v, 2)), "level": level,
            }
        return _(
            "Avec «\u202f%(arm)s\u202f», la probabilité qu'une réponse «\u202f%(metric)s\u202f» soit meilleure qu'avec «\u202f%(control)s\u202f» "
            "est de %(p)s (%(ci)s, intervalle à %(level)s)\u202f; 50 %% voudrait dire aucune différence."
        ) % {
            "arm": arm, "metric": metric, "control": control, "p": self.pct(c.get("probability_of_superiority")),
            "ci": self.between(*(c.get("probability_of_superiority_ci") or (None, None)), lambda v: self.pct(v)),
            "level": level,
        }

    def signed_points(self, value: float | None) -> str:
        """A difference of proportions in points of percentage, with its sign."""
        if value is None:
            return "—"
        return self.num(100 * value, 1) + self._(" points de pourcentage")

    def _interim(self, c: dict) -> str:
        planning = c.get("planning") or {}
        planned = planning.get("n_per_arm_needed")
        if planned is None:
            return self._("Résultat intermédiaire.")
        if planning.get("unit") == "exposure":
            return self._("Résultat intermédiaire (exposition prévue par bras\u202f: %(n)s).") % {"n": self.num(planned, 0)}
        return self._("Résultat intermédiaire (%(n)s prévues par bras).") % {"n": self.units(planned)}

    def _verdict_interval(self, c: dict) -> str:
        """Says which interval the verdict is read from when it is not the one above."""
        _ = self._
        ci = c.get("verdict_ci")
        if not ci or not c.get("verdict"):
            return ""
        scale = c.get("verdict_scale")
        if scale == "difference" and c["kind"] == "binary":
            what = self.between(ci[0], ci[1], lambda v: self.num(100 * v, 1)) + _(" points de pourcentage")
        elif scale == "difference":
            what = self.between(ci[0], ci[1], self.scaled(c.get("arm_value"), c.get("control_value"),
                                                          c.get("difference"), *(c.get("difference_ci") or ())))
        elif scale == "odds_ratio":
            what = _("rapport des cotes %(ci)s") % {"ci": self.between(ci[0], ci[1], lambda v: self.num(v, 2))}
        elif scale == "ratio":
            what = _("rapport des taux %(ci)s") % {"ci": self.between(ci[0], ci[1], lambda v: self.num(v, 2))}
        else:
            what = self.between(ci[0], ci[1], lambda v: self.pct(v))
        reasons = []
        m = c.get("comparisons_adjusted") or 1
        if m > 1:
            reasons.append(_("ajusté pour %(m)s comparaisons") % {"m": self.num(m, 0)})
        if c.get("interim"):
            reasons.append(_("séquentiel, valable à chaque consultation"))
        if scale == "odds_ratio":
            reasons.append(_("inversé du test exact de Fisher"))
        elif c.get("method") == "exact conditional test" and not c.get("interim"):
            reasons.append(_("inversé du test exact conditionnel"))
        level = self.level(c.get("verdict_level") or 1 - c.get("alpha", 0.05))
        return _("La conclusion se lit sur l'intervalle à %(level)s%(why)s\u202f: %(what)s.") % {
            "level": level, "why": " (" + ", ".join(reasons) + ")" if reasons else "", "what": what,
        }

    def _verdict(self, c: dict) -> str:
        _ = self._
        verdict = c.get("verdict")
        if verdict not in VERDICTS:
            return ""
        texts = VERDICTS_OBSERVATIONAL if observational(c) and verdict in VERDICTS_OBSERVATIONAL else VERDICTS
        text = _(texts[verdict])
        planning = c.get("planning") or {}
        more = planning.get("more_units_needed")
        if verdict == "inconclusive" and more:
            power = self.pct(planning.get("power") or 0.8, 0)
            if planning.get("unit") == "exposure":
                text += " " + _(
                    "Pour une puissance de %(power)s, il faudrait environ %(n)s d'exposition de plus par bras "
                    "(une estimation, pas la promesse de conclure)."
                ) % {"n": self.num(more, 0), "power": power}
            else:
                text += " " + _(
                    "Pour une puissance de %(power)s, il faudrait environ %(n)s de plus par bras "
                    "(une estimation, pas la promesse de conclure)."
                ) % {"n": self.units(more), "power": power}
        return text
