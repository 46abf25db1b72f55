"""One plain sentence per comparison, that a non-statistician understands.

« Avec le rappel SMS, 12,4 % de rendez-vous non honorés contre 17,5 % avec la
convocation actuelle : 5,1 points de moins (entre 2,2 et 7,9 points, intervalle à
95 %). L'hypothèse est confirmée. »

Every sentence goes through gettext; numbers are formatted for the language.
"""

from __future__ import annotations

from collections.abc import Callable

from babel import numbers

from tal.i18n import N_

VERDICTS = {
    "confirmed": N_("L'hypothèse est confirmée."),
    "contradicted": N_("L'hypothèse est contredite : l'effet va dans le sens opposé à celui prévu."),
    "no_useful_effect": N_("Pas d'effet utile : l'intervalle exclut tout effet au moins égal à l'effet minimal visé."),
    "inconclusive": N_("Pas de conclusion possible avec ces données."),
    "guardrail_ok": N_("Garde-fou respecté."),
    "guardrail_breached": N_("Garde-fou franchi : l'indicateur s'est dégradé."),
    "too_short": N_("Pas de verdict : ces données ne permettent pas de conclure avec ce plan."),
}
VERDICT_SHORT = {
    "confirmed": N_("Confirmée"),
    "contradicted": N_("Contredite"),
    "no_useful_effect": N_("Pas d'effet utile"),
    "inconclusive": N_("Non concluante"),
    "guardrail_ok": N_("Garde-fou respecté"),
    "guardrail_breached": N_("Garde-fou franchi"),
    "too_short": N_("Trop peu de données pour conclure"),
}


class Phrase:
    """Formats numbers and builds sentences in one language."""

    def __init__(self, gettext: Callable[[str], str], lang: str) -> None:
        self._ = gettext
        self.lang = lang

    def num(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "—"
        return numbers.format_decimal(round(value, digits), format="#,##0." + "0" * digits, locale=self.lang)

    def pct(self, value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{self.num(100 * value, digits)} %"

    def p_value(self, value: float | None) -> str:
        if value is None:
            return "—"
        return "< " + self.num(0.0001, 4) if value < 0.0001 else self.num(value, 4)

    def between(self, low: float | None, high: float | None, scale: float, digits: int, unit: str) -> str:
        if low is None or high is None:
            return self._("intervalle non estimable")
        return self._("entre %(low)s et %(high)s%(unit)s") % {
            "low": self.num(low * scale, digits),
            "high": self.num(high * scale, digits),
            "unit": unit,
        }

    def level(self, alpha: float) -> str:
        return self.num(100 * (1 - alpha), 0) + " %"

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
            return _("Résultat non estimable : %(why)s") % {"why": c["not_estimable"]}
        level = self.level(c.get("alpha", 0.05))
        kind = c["kind"]
        if c.get("too_short"):
            return f"{self.too_short(c['too_short'])} {_(VERDICTS['too_short'])}"
        if c["arm"] == "après" and kind == "rate" and c.get("ratio") is not None:
            body = _(
                "Après le changement, %(metric)s : %(ratio)s fois le taux attendu sans changement, "
                "en tenant compte de la tendance%(seasons)s (%(ci)s, intervalle à %(level)s)."
            ) % {
                "metric": metric, "ratio": self.num(c["ratio"], 3),
                "seasons": _(" et des saisons") if c.get("seasonal") else "",
                "ci": self.between(*c["ratio_ci"] or (None, None), 1, 3, ""), "level": level,
            }
        elif c["arm"] == "après":
            body = _(
                "Après le changement, %(metric)s : %(arm)s à la dernière période, contre %(control)s attendu sans "
                "changement, soit un écart de %(diff)s (%(ci)s, intervalle à %(level)s)."
            ) % {
                "metric": metric, "arm": self.num(c["arm_value"]), "control": self.num(c["control_value"]),
                "diff": self.num(c["difference"]), "ci": self.between(*c["difference_ci"] or (None, None), 1, 1, ""),
                "level": level,
            }
        elif c["arm"] == "traités":
            body = _(
                "Dans les unités concernées, %(metric)s a évolué de %(arm)s, contre %(control)s dans les unités de "
                "comparaison : une différence des différences de %(diff)s (%(ci)s, intervalle à %(level)s)."
            ) % {
                "metric": metric, "arm": self.num(c["arm_value"], 2), "control": self.num(c["control_value"], 2),
                "diff": self.num(c["difference"], 2), "ci": self.between(*c["difference_ci"] or (None, None), 1, 2, ""),
                "level": level,
            }
        elif kind == "binary":
            diff = c["difference"]
            template = _("%(points)s points de plus") if diff >= 0 else _("%(points)s points de moins")
            low, high = c["difference_ci"] or (None, None)
            if low is not None and high is not None and diff < 0:
                low, high = -high, -low
            body = _(
                "Avec « %(arm)s », %(arm_value)s pour « %(metric)s » contre %(control_value)s avec « %(control)s » : "
                "%(change)s (%(ci)s, intervalle à %(level)s)."
            ) % {
                "arm": arm, "metric": metric, "control": control,
                "arm_value": self.pct(c["arm_value"]), "control_value": self.pct(c["control_value"]),
                "change": template % {"points": self.num(abs(100 * diff))},
                "ci": self.between(low, high, 100, 1, _(" points")), "level": level,
            }
        elif kind == "mean":
            body = _(
                "Avec « %(arm)s », « %(metric)s » vaut %(arm_value)s en moyenne, contre %(control_value)s avec "
                "« %(control)s » : un écart de %(diff)s (%(ci)s, intervalle à %(level)s)."
            ) % {
                "arm": arm, "metric": metric, "control": control, "arm_value": self.num(c["arm_value"], 2),
                "control_value": self.num(c["control_value"], 2), "diff": self.num(c["difference"], 2),
                "ci": self.between(*c["difference_ci"] or (None, None), 1, 2, ""), "level": level,
            }
        elif kind == "rate":
            body = _(
                "Avec « %(arm)s », « %(metric)s » : %(arm_value)s par unité d'exposition, contre %(control_value)s "
                "avec « %(control)s », soit %(ratio)s fois le taux du témoin (%(ci)s, intervalle à %(level)s)."
            ) % {
                "arm": arm, "metric": metric, "control": control, "arm_value": self.num(c["arm_value"], 3),
                "control_value": self.num(c["control_value"], 3), "ratio": self.num(c["ratio"], 2),
                "ci": self.between(*c["ratio_ci"] or (None, None), 1, 2, ""), "level": level,
            }
        else:
            body = _(
                "Avec « %(arm)s », la probabilité qu'une réponse « %(metric)s » soit meilleure qu'avec « %(control)s » "
                "est de %(p)s (%(ci)s, intervalle à %(level)s) ; 50 %% voudrait dire aucune différence."
            ) % {
                "arm": arm, "metric": metric, "control": control, "p": self.pct(c.get("probability_of_superiority")),
                "ci": self.between(*(c.get("probability_of_superiority_ci") or (None, None)), 100, 1, " %"),
                "level": level,
            }
        verdict = _(VERDICTS[c["verdict"]]) if c.get("verdict") in VERDICTS else ""
        more = (c.get("planning") or {}).get("more_units_needed")
        if c.get("verdict") == "inconclusive" and more:
            verdict += " " + _("Il faudrait environ %(n)s unités de plus par bras pour conclure.") % {"n": self.num(more, 0)}
        return f"{body} {verdict}".strip()
