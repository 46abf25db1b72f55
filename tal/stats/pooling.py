"""Pooling replications of one intervention: a random-effects meta-analysis.

Pure functions, no database and no web (STATS.md, « Pooling replications »; the
JSON is DESIGN.md's « Pooled replications » contract). A study is one experiment:

    {"experiment": slug, "service": name,
     "document": the tal-experiment/1 document as plain data,
     "evaluation": its evaluation JSON, or None}

For each metric key present with the same kind in at least two experiments, each
experiment contributes one comparison: its last iteration with results for that
metric, and its non-control arm (with several, the arm key common to all). Its
estimate and variance, on one scale:

- binary: risk difference, Wald variance p1(1 − p1)/n1 + p0(1 − p0)/n0;
- mean: difference of means, sd1²/n1 + sd0²/n0;
- rate: log rate ratio, 1/e1 + 1/e0 (0.5 added to each arm's events when one is 0);
- before/after, comparison group: the design's estimate and its `std_error`
  (`difference`; for a rate metric, the log of `ratio`).

Pooled with statsmodels `combine_effects`, DerSimonian–Laird (`method_re="dl"`).
statsmodels 0.15 lets tau² and I² go negative on homogeneous sets: tau² is
truncated at 0, I² = max(0, (Q − df)/Q), and the random-effects estimate, its
interval and the weights are recomputed with the truncated tau².
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from .errors import StatsInputError

METHOD = "DerSimonian-Laird random effects"
POOLED_KINDS = ("binary", "mean", "rate")


class PoolingError(StatsInputError):
    """A set of experiments that cannot be pooled; the message says why, in French."""


def _names(slugs: Sequence[str]) -> str:
    return ", ".join(f"« {s} »" for s in slugs)


def _metrics(doc: dict) -> dict[str, dict]:
    return {m["key"]: m for m in doc.get("metrics") or []}


def shared_metrics(studies: Sequence[dict]) -> list[tuple[str, str, list[dict]]]:
    """(metric key, kind, studies having it) for each key found in two experiments or more,
    in the order of first appearance; refuses a key whose kind differs between them."""
    order: list[str] = []
    having: dict[str, list[dict]] = {}
    for study in studies:
        for key in _metrics(study["document"]):
            if key not in having:
                order.append(key)
                having[key] = []
            having[key].append(study)
    shared = []
    for key in order:
        found = having[key]
        if len(found) < 2:
            continue
        kinds = {s["experiment"]: _metrics(s["document"])[key]["kind"] for s in found}
        if len(set(kinds.values())) > 1:
            detail = ", ".join(f"« {slug} » : {kind}" for slug, kind in kinds.items())
            raise PoolingError(
                f"l'indicateur « {key} » n'a pas le même type dans toutes les expérimentations ({detail}) : "
                "des résultats de types différents ne se combinent pas"
            )
        shared.append((key, next(iter(kinds.values())), found))
    return shared


def _arms(doc: dict) -> tuple[str | None, list[str]]:
    arms = doc.get("arms") or []
    control = next((a["key"] for a in arms if a.get("control")), None)
    return control, [a["key"] for a in arms if not a.get("control")]


def _choose_arm(key: str, found: Sequence[dict]) -> str | None:
    """The non-control arm key to use in randomized studies with several of them."""
    randomized = [s for s in found if s["document"]["experiment"]["design"] == "randomized"]
    if not any(len(_arms(s["document"])[1]) > 1 for s in randomized):
        return None
    common = set.intersection(*(set(_arms(s["document"])[1]) for s in randomized))
    if len(common) != 1:
        several = [s["experiment"] for s in randomized if len(_arms(s["document"])[1]) > 1]
        raise PoolingError(
            f"indicateur « {key} » : {_names(several)} {'compte' if len(several) == 1 else 'comptent'} plusieurs bras "
            "en plus du témoin et aucune clé de bras n'est commune, seule, à toutes les expérimentations : "
            "impossible de savoir quel bras combiner"
        )
    return common.pop()


def _randomized(study: dict, key: str, kind: str, arm_key: str | None) -> dict | None:
    doc = study["document"]
    control, others = _arms(doc)
    arm = arm_key if arm_key is not None else (others[0] if len(others) == 1 else None)
    if control is None or arm is None:
        return None
    for it in reversed(doc.get("iterations") or []):
        rows = {r["arm"]: r for r in it.get("results") or [] if r["metric"] == key}
        if control not in rows or arm not in rows:
            continue
        a, b = rows[control], rows[arm]
        if kind == "binary":
            if not a["n"] or not b["n"]:
                continue
            p0, p1 = a["successes"] / a["n"], b["successes"] / b["n"]
            estimate, variance = p1 - p0, p1 * (1 - p1) / b["n"] + p0 * (1 - p0) / a["n"]
        elif kind == "mean":
            if not a["n"] or not b["n"]:
                continue
            estimate, variance = b["mean"] - a["mean"], b["sd"] ** 2 / b["n"] + a["sd"] ** 2 / a["n"]
        else:
            e0, e1 = float(a["events"]), float(b["events"])
            if e0 == 0 or e1 == 0:
                e0, e1 = e0 + 0.5, e1 + 0.5
            estimate = math.log((e1 / b["exposure"]) / (e0 / a["exposure"]))
            variance = 1 / e1 + 1 / e0
        return {"iteration": it["number"], "arm": arm, "estimate": estimate, "variance": variance}
    return None


def _designed(study: dict, key: str, kind: str) -> dict | None:
    """Before/after and comparison group: the evaluation's estimate and standard error."""
    evaluation = study.get("evaluation") or {}
    for it in reversed(evaluation.get("iterations") or []):
        for c in it.get("comparisons") or []:
            if c.get("metric") != key:
                continue
            if kind == "rate":
                # Rates pool on the log ratio: a model that gives no ratio cannot join them.
                if not c.get("ratio"):
                    continue
                estimate, interval = math.log(c["ratio"]), c.get("ratio_ci")
                interval = [math.log(v) for v in interval] if interval and min(interval) > 0 else None
            elif c.get("difference") is not None:
                estimate, interval = c["difference"], c.get("difference_ci")
            else:
                continue
            se = c.get("std_error")
            if se is None and interval and None not in interval:
                # Without a reported standard error: the one a normal interval implies.
                from scipy.stats import norm

                se = (interval[1] - interval[0]) / (2 * norm.ppf(1 - (c.get("alpha") or 0.05) / 2))
            if se is None or not math.isfinite(se):
                continue
            return {"iteration": it["number"], "arm": c.get("arm"), "estimate": estimate, "variance": se**2}
    return None


def _study_effects(key: str, kind: str, found: Sequence[dict]) -> list[dict]:
    arm_key = _choose_arm(key, found)
    effects = []
    for study in found:
        design = study["document"]["experiment"]["design"]
        effect = _randomized(study, key, kind, arm_key) if design == "randomized" else _designed(study, key, kind)
        if effect is None:
            continue
        if not (math.isfinite(effect["estimate"]) and math.isfinite(effect["variance"])) or effect["variance"] <= 0:
            raise PoolingError(
                f"indicateur « {key} » : l'expérimentation « {study['experiment']} » a une variance nulle ou non "
                "estimable (par exemple 0 % ou 100 % dans les deux bras) : elle ne peut pas être pondérée"
            )
        effects.append({"experiment": study["experiment"], "service": study.get("service"), **effect})
    return effects


def dersimonian_laird(estimates: Sequence[float], variances: Sequence[float], alpha: float = 0.05) -> dict:
    """Random-effects pooling of k ≥ 2 estimates (statsmodels, tau² truncated at 0)."""
    from scipy.stats import chi2, norm
    from statsmodels.stats.meta_analysis import combine_effects

    y = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    k = len(y)
    if k < 2:
        raise PoolingError("il faut au moins deux expérimentations avec des résultats pour combiner leurs effets")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # Its random-effects part divides by a negative tau² on homogeneous sets: unused.
        warnings.simplefilter("ignore", RuntimeWarning)
        res = combine_effects(y, v, method_re="dl", alpha=alpha)
    q = float(res.q)
    df = k - 1
    tau2 = max(0.0, float(res.tau2))
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    z = norm.ppf(1 - alpha / 2)
    w = 1.0 / (v + tau2)
    estimate = float(np.sum(w * y) / np.sum(w))
    se = math.sqrt(1.0 / np.sum(w))
    fixed, fixed_se = float(res.mean_effect_fe), float(res.sd_eff_w_fe)
    return {
        "pooled": {
            "estimate": estimate,
            "ci": [estimate - z * se, estimate + z * se],
            "p_value": float(2 * norm.sf(abs(estimate / se))),
            "std_error": se,
        },
        "fixed": {"estimate": fixed, "ci": [fixed - z * fixed_se, fixed + z * fixed_se]},
        "tau2": tau2,
        "i2": i2,
        "q": q,
        "q_p_value": float(chi2.sf(q, df)),
        "weights": (w / np.sum(w)).tolist(),
    }


def pool(intervention: str, studies: Sequence[dict]) -> dict:
    """The contract's JSON for these studies, or PoolingError (in French) when they
    cannot be pooled: fewer than two, no shared metric, kinds or arms that differ."""
    from .evaluate import engine_versions

    if len(studies) < 2:
        found = _names([s["experiment"] for s in studies]) or "aucune"
        raise PoolingError(
            f"intervention « {intervention} » : il faut au moins deux expérimentations pour les combiner "
            f"(trouvée(s) : {found})"
        )
    metrics, reasons = [], []
    for key, kind, found in shared_metrics(studies):
        if kind not in POOLED_KINDS:
            reasons.append(f"l'indicateur « {key} » est ordinal : les indicateurs ordinaux ne sont pas combinés")
            continue
        effects = _study_effects(key, kind, found)
        if len(effects) < 2:
            with_data = _names([e["experiment"] for e in effects]) or "aucune"
            reasons.append(
                f"l'indicateur « {key} » n'a de résultats que dans {len(effects)} expérimentation(s) ({with_data}) : "
                "il en faut au moins deux"
            )
            continue
        alpha = min(float(_metrics(s["document"])[key].get("alpha", 0.05)) for s in found)
        fit = dersimonian_laird([e["estimate"] for e in effects], [e["variance"] for e in effects], alpha)
        pooled = dict(fit["pooled"])
        pooled.pop("std_error")
        metrics.append({
            "metric": key,
            "kind": kind,
            "scale": "log_ratio" if kind == "rate" else "difference",
            "k": len(effects),
            "method": METHOD,
            "pooled": pooled,
            "fixed": fit["fixed"],
            "tau2": fit["tau2"],
            "i2": fit["i2"],
            "q": fit["q"],
            "q_p_value": fit["q_p_value"],
            "studies": [
                {
                    "experiment": e["experiment"],
                    "service": e["service"],
                    "iteration": e["iteration"],
                    "arm": e["arm"],
                    "estimate": e["estimate"],
                    "std_error": math.sqrt(e["variance"]),
                    "weight": weight,
                }
                for e, weight in zip(effects, fit["weights"])
            ],
        })
    if not metrics:
        why = " ; ".join(reasons) or "aucun indicateur n'a la même clé dans au moins deux d'entre elles"
        raise PoolingError(
            f"intervention « {intervention} » : aucun indicateur à combiner entre {_names([s['experiment'] for s in studies])} "
            f"(il faut la même clé et le même type d'indicateur) : {why}"
        )
    return {"intervention": intervention, "engine": engine_versions(), "metrics": metrics}


def not_pooled(studies: Sequence[dict]) -> list[tuple[str, str]]:
    """(metric key, why) for the shared metrics left out of the pool; why is
    "ordinal" (never pooled) or "too_few" (results in fewer than two experiments)."""
    left = []
    for key, kind, found in shared_metrics(studies):
        if kind not in POOLED_KINDS:
            left.append((key, "ordinal"))
        elif len(_study_effects(key, kind, found)) < 2:
            left.append((key, "too_few"))
    return left
