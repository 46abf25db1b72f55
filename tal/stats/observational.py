"""The non-randomized designs in an evaluation: a document's series and panels in,
comparisons out (filled into the evaluation batch of ``evaluate``).

before_after: ``arm`` = "après", ``control`` = "avant". Measured values: ``arm_value``
is the fitted value at the last period, ``control_value`` the counterfactual there
(the pre-period line extended), so ``difference`` = arm_value − control_value is the
effect at the last period (AR(1) GLS, ``its.interrupted_time_series``). Counts with
an ``exposure`` (rate metrics): the values are rates per unit of exposure at the last
period, and the verdict reads the rate ratio of the level change (quasi-Poisson,
``its.count_time_series``). Extra keys: level_change, slope_change ({estimate, ci,
p_value}; null for counts), periods, fitted, counterfactual, autocorrelation,
seasonal, dispersion.

comparison_group: ``arm`` = "traités", ``control`` = "comparaison"; ``arm_value`` /
``control_value`` are the mean post − pre changes of the units of each group,
``difference`` the difference in differences, tested by randomization over the
assignment of units (``did``). Extra keys: group_means, pre_trends, clusters,
randomization {assignments, exact, smallest_p_value}.

When the design cannot conclude on these data (too few periods or units, STATS.md
Calibration) the comparison carries ``too_short`` (what there is and what would be
needed) and its verdict is ``too_short``.
"""

from __future__ import annotations

import math

import numpy as np

from ._util import clean, column
from .errors import StatsInputError
from .its import MIN_PER_SIDE, MIN_PERIODS, count_time_series, interrupted_time_series
from .periods import PeriodError, label, positions, season

BEFORE_AFTER_WARNING = (
    "Un avant/après ne peut pas séparer l'effet du changement de tout ce qui s'est "
    "passé en même temps : ce résultat n'établit pas une causalité."
)
DID_WARNING = (
    "La comparaison suppose des tendances parallèles avant l'intervention : "
    "vérifiez-les sur le graphique des moyennes par groupe."
)
ITS_METHOD = "segmented regression, AR(1) GLS (REML), Satterthwaite t"
COUNT_METHOD = "segmented quasi-Poisson regression, log(exposure) offset"
DID_METHOD = "difference in differences, randomization inference over units"


def normal_se(low: float, high: float, alpha: float) -> float | None:
    """The standard error of a normal interval as wide as [low, high]: what pooling
    across replications uses, so that a wide small-sample interval keeps its width."""
    from scipy.special import ndtri

    return clean((high - low) / (2.0 * float(ndtri(1.0 - alpha / 2.0))))


def _series_data(s: dict, where: dict):
    """Periods parsed and sorted in time order: (labels, values, exposure, positions, kind, t0)."""
    periods = list(s.get("periods") or [])
    values = list(s.get("values") or [])
    exposure = s.get("exposure")
    if len(periods) != len(values):
        raise StatsInputError(f"periods et values n'ont pas la même longueur ({len(periods)} et {len(values)})", **where)
    if exposure is not None and len(exposure) != len(values):
        raise StatsInputError(f"exposure et values n'ont pas la même longueur ({len(exposure)} et {len(values)})", **where)
    try:
        kind, pos, target = positions(periods, s.get("intervention_at"))
    except PeriodError as err:
        at = "" if err.index is None else f" (periods[{err.index + 1}])"
        raise StatsInputError(f"{err}{at}", **where) from None
    if len(set(pos)) != len(pos):
        raise StatsInputError("une période apparaît plusieurs fois dans la série", **where)
    order = sorted(range(len(pos)), key=pos.__getitem__)
    pos = [pos[i] for i in order]
    t0 = next((i for i, q in enumerate(pos) if target is not None and q >= target), None)
    if t0 is None or t0 == 0:
        raise StatsInputError("l'intervention (intervention_at) est en dehors de la série", **where)
    return ([label(periods[i]) for i in order], [values[i] for i in order],
            None if exposure is None else [exposure[i] for i in order], pos, kind, t0)


def _entries(it, name, number, slug, specs):
    """(key, spec, entry, where) for each metric with an entry in ``it[name]``."""
    by_metric = {e.get("metric"): e for e in it.get(name) or []}
    for key, spec in specs.items():
        if key in by_metric:
            yield key, spec, by_metric[key], dict(experiment=slug, iteration=number, metric=key)


def read_series(it, number, slug, specs, it_out, batch) -> None:
    for key, spec, s, where in _entries(it, "series", number, slug, specs):
        labels, values, exposure, pos, kind, t0 = _series_data(s, where)
        if exposure is not None and spec["kind"] != "rate":
            raise StatsInputError("exposure ne s'applique qu'aux indicateurs de type « rate » (comptages)", **where)
        comp = batch.add(spec, "après", "avant", (slug, number, key, "après", "avant"), batch.new_family(), it_out)
        out = batch.dicts[comp]
        time = np.array(pos, dtype=float) - pos[0]
        if exposure is not None:
            _counts(batch, comp, out, spec, values, exposure, t0, time, kind, pos, where)
        else:
            _values(batch, comp, out, spec, values, t0, time, where)
        out["warnings"].append(BEFORE_AFTER_WARNING)
        out["periods"] = labels
        before, after = t0, len(values) - t0
        if before < MIN_PER_SIDE or after < MIN_PER_SIDE or len(values) < MIN_PERIODS:
            out["too_short"] = {"periods_before": before, "periods_after": after,
                                "periods_needed": MIN_PERIODS, "per_side_needed": MIN_PER_SIDE}


def _values(batch, comp, out, spec, values, t0, time, where) -> None:
    fit = interrupted_time_series(values, t0, spec["alpha"], time=time, **where)
    eff = fit["effect"]
    control_value, arm_value = fit["counterfactual"][-1], fit["fitted"][-1]
    se = eff["se"]
    batch.set(
        comp, control_value=control_value, arm_value=arm_value, difference=eff["estimate"],
        difference_low=eff["low"], difference_high=eff["high"],
        ratio=arm_value / control_value if control_value else math.nan,
        statistic=eff["estimate"] / se if se == se and se else math.nan,
        p_value=eff["p_value"], effect=eff["estimate"], v_low=eff["low"], v_high=eff["high"],
    )
    out["method"] = ITS_METHOD
    out["std_error"] = normal_se(eff["low"], eff["high"], spec["alpha"])
    if fit["flat"] and not fit["too_short"]:
        out["not_estimable"] = "Série sans variabilité résiduelle : ni intervalle ni p-value."
    for name in ("level_change", "slope_change"):
        part = fit[name]
        out[name] = {"estimate": clean(part["estimate"]), "ci": [clean(part["low"]), clean(part["high"])],
                     "p_value": clean(part["p_value"])}
    out["fitted"] = column(fit["fitted"])
    out["counterfactual"] = column(fit["counterfactual"])
    out["autocorrelation"] = clean(fit["phi"])


def _counts(batch, comp, out, spec, values, exposure, t0, time, kind, pos, where) -> None:
    seasons = [season(kind, q) for q in pos]
    cycle = seasons[0][1] if seasons[0] is not None else None
    fit = count_time_series(values, exposure, t0, spec["alpha"], time=time,
                            seasons=None if cycle is None else [s[0] for s in seasons], cycle=cycle, **where)
    rr = fit["rate_ratio"]
    control_value, arm_value = fit["counterfactual"][-1], fit["fitted"][-1]
    margin = spec["mde"] / control_value if spec["mde"] is not None and control_value > 0 else math.nan
    batch.set(
        comp, control_value=control_value, arm_value=arm_value, difference=arm_value - control_value,
        ratio=rr["estimate"], ratio_low=rr["low"], ratio_high=rr["high"],
        statistic=math.log(rr["estimate"]) / rr["se"] if rr["se"] == rr["se"] and rr["estimate"] > 0 else math.nan,
        p_value=rr["p_value"], effect=arm_value - control_value, v_low=rr["low"], v_high=rr["high"],
        v_null=1.0, v_margin=margin,
    )
    out["method"] = COUNT_METHOD + (", Fourier terms" if fit["seasonal"] else "")
    out["std_error"] = clean(rr["se"])
    out["level_change"] = out["slope_change"] = None
    out["fitted"] = column(fit["fitted"])
    out["counterfactual"] = column(fit["counterfactual"])
    out["seasonal"] = fit["seasonal"]
    out["dispersion"] = clean(fit["dispersion"])


def read_panel(it, number, slug, specs, it_out, batch) -> None:
    from .did import difference_in_differences

    for key, spec, p, where in _entries(it, "panel", number, slug, specs):
        fit = difference_in_differences(
            list(p.get("units") or []), list(p.get("periods") or []), list(p.get("values") or []),
            list(p.get("treated_units") or []), p.get("intervention_at"), spec["alpha"], **where,
        )
        comp = batch.add(spec, "traités", "comparaison", (slug, number, key, "traités", "comparaison"),
                         batch.new_family(), it_out)
        batch.set(
            comp, control_value=fit["comparison_change"], arm_value=fit["treated_change"],
            difference=fit["estimate"], difference_low=fit["low"], difference_high=fit["high"],
            p_value=fit["p_value"], effect=fit["estimate"], v_low=fit["low"], v_high=fit["high"],
        )
        out = batch.dicts[comp]
        out["method"] = DID_METHOD
        out["std_error"] = normal_se(fit["low"], fit["high"], spec["alpha"])
        out["warnings"].append(DID_WARNING)
        if fit["p_value"] != fit["p_value"] and not fit["too_short"]:
            out["not_estimable"] = "Aucune variabilité entre les unités : ni intervalle ni p-value."
        out["group_means"] = fit["group_means"]
        out["pre_trends"] = {k: clean(v) for k, v in fit["pre_trends"].items()}
        out["clusters"] = fit["clusters"]
        out["randomization"] = {"assignments": fit["assignments"], "exact": fit["exact"],
                                "smallest_p_value": clean(fit["smallest_p_value"])}
        if fit["too_short"]:
            out["too_short"] = {"treated_units": fit["treated"], "comparison_units": fit["comparison"],
                                "smallest_p_value": clean(fit["smallest_p_value"]), "alpha": spec["alpha"]}
