"""Experiment-level glue: ``tal-experiment/1`` documents in, evaluation JSON out.

``evaluate_portfolio(docs)`` reads every document, gathers all randomized
comparisons of all documents per kind into arrays, computes each kind in one
vectorised call, adjusts p-values (Holm), gives verdicts and planning figures in
one call each, then writes the output. ``evaluate_experiment(doc)`` is the
portfolio of one.

Output per comparison: the contract keys of DESIGN.md ("Evaluation output") plus
``alpha``, ``mde``, ``direction``, ``statistic``, ``warnings`` (French strings),
``not_estimable`` (French reason when the p-value cannot be computed, else null),
and ``planning`` for binary and mean metrics ({n_per_arm_needed,
more_units_needed (only with an inconclusive verdict), achieved_power, mde_at_n}).

Non-randomized designs (before_after, comparison_group): see ``observational``;
their verdict is ``too_short`` when the design cannot conclude on the data.

p-value adjustment: Holm across the arms of a metric within an iteration, then,
when an iteration has several primary metrics, Holm again across them, arm by
arm (on the already adjusted p-values).

Planning baselines: the metric's ``baseline`` (binary) or ``baseline_sd`` (mean)
when given, else the control arm's observed proportion or sd.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ._util import clean, column
from .errors import StatsInputError

KINDS = ("binary", "mean", "rate", "ordinal")
ROLES = ("primary", "secondary", "guardrail")
DESIGNS = ("randomized", "before_after", "comparison_group")

METHODS = {
    "binary": ("pooled z-test", "Fisher exact test"),
    "mean": ("Welch t-test", "Welch t-test"),
    "rate": ("score test", "exact conditional test"),
    "ordinal": ("Brunner-Munzel", "Brunner-Munzel"),
}
SMALL_SAMPLE = 30
SMALL_SAMPLE_WARNING = (
    "Petit échantillon (%(n)d unités dans le plus petit bras) : l'intervalle est large et "
    "le résultat fragile ; seul un effet important pourrait être mis en évidence."
)
GUARDRAIL_WARNING = (
    "Garde-fou franchi : cet indicateur s'est dégradé de façon significative ; "
    "examinez-le avant toute généralisation."
)
SRM_WARNING = (
    "Déséquilibre de répartition entre les bras (SRM, p < 0,001) : les résultats de "
    "cette itération ne sont pas fiables tant qu'il n'est pas expliqué."
)

CONTRACT_KEYS = (
    "metric", "role", "kind", "arm", "control", "control_value", "arm_value", "difference",
    "difference_ci", "ratio", "ratio_ci", "p_value", "p_value_adjusted", "method",
    "probability_better", "verdict",
)

# Numeric columns filled by the kernels, one element per comparison.
COLUMNS = (
    "control_value", "arm_value", "difference", "difference_low", "difference_high",
    "ratio", "ratio_low", "ratio_high", "statistic", "p_value", "probability_better",
    "effect", "v_low", "v_high", "v_null", "v_margin", "alpha", "sign", "guardrail",
    "n_a", "n_b", "plan_base", "mde", "power",
)


@lru_cache(maxsize=1)
def engine_versions() -> dict:
    """Versions of TAL and statsmodels, without importing statsmodels."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        from tal import __version__ as tal_version
    except ImportError:  # pragma: no cover
        tal_version = "0.1.0"
    try:
        sm_version = version("statsmodels")
    except PackageNotFoundError:  # pragma: no cover
        sm_version = None
    return {"tal": tal_version, "statsmodels": sm_version}


def evaluate_experiment(doc: dict) -> dict:
    """Evaluate one experiment (a parsed ``tal-experiment/1`` document)."""
    return evaluate_portfolio([doc])[0]


def evaluate_portfolio(docs: Sequence[dict]) -> list[dict]:
    """Evaluate many experiments at once: one vectorised call per kind."""
    # Many small dicts and lists are built and none is garbage: pausing the cyclic
    # collector avoids repeated full collections over the growing output.
    paused = gc.isenabled()
    gc.disable()
    try:
        batch = _Batch()
        outputs = [_read(doc, batch) for doc in docs]
        batch.compute()
    finally:
        if paused:
            gc.enable()
    return outputs


# --------------------------------------------------------------------------- reading


def _metric_specs(doc: dict, slug) -> dict:
    specs = {}
    for m in doc.get("metrics") or []:
        key = m.get("key")
        if key is None:
            raise StatsInputError("un indicateur n'a pas de clé (key)", experiment=slug)
        kind = m.get("kind")
        if kind not in KINDS:
            raise StatsInputError(f"type d'indicateur inconnu : {kind!r}", experiment=slug, metric=key)
        role = m.get("role", "primary")
        if role not in ROLES:
            raise StatsInputError(f"rôle inconnu : {role!r}", experiment=slug, metric=key)
        direction = m.get("direction")
        if direction not in ("increase", "decrease"):
            raise StatsInputError(
                f"direction attendue « increase » ou « decrease », reçu {direction!r}", experiment=slug, metric=key
            )
        alpha = m.get("alpha", 0.05)
        power = m.get("power", 0.8)
        mde = m.get("mde")
        for name, value in (("alpha", alpha), ("power", power)):
            if not isinstance(value, (int, float)) or not 0 < value < 1:
                raise StatsInputError(f"{name} doit être compris entre 0 et 1 (reçu {value!r})", experiment=slug, metric=key)
        if mde is not None and (not isinstance(mde, (int, float)) or not mde > 0):
            raise StatsInputError(f"mde doit être un nombre strictement positif (reçu {mde!r})", experiment=slug, metric=key)
        levels = m.get("levels")
        specs[key] = {
            "key": key, "kind": kind, "role": role, "direction": direction,
            "sign": 1.0 if direction == "increase" else -1.0,
            "alpha": float(alpha), "power": float(power),
            "mde": None if mde is None else float(mde),
            "baseline": m.get("baseline"), "baseline_sd": m.get("baseline_sd"),
            "n_levels": len(levels) if levels else None,
            "plan": (float(alpha), 1.0 if direction == "increase" else -1.0, 1.0 if role == "guardrail" else 0.0,
                     math.nan if mde is None else float(mde), float(power)),
        }
    return specs


def _read(doc: dict, batch: "_Batch") -> dict:
    if not isinstance(doc, dict):
        raise StatsInputError("le document d'expérimentation doit être une table")
    exp = doc.get("experiment") or {}
    slug = exp.get("slug")
    design = exp.get("design")
    if design not in DESIGNS:
        raise StatsInputError(f"plan d'expérience inconnu : {design!r}", experiment=slug)
    specs = _metric_specs(doc, slug)
    out = {"experiment": slug, "design": design, "engine": dict(engine_versions()), "iterations": []}
    arms = doc.get("arms") or []
    for it_index, it in enumerate(doc.get("iterations") or []):
        number = it.get("number", it_index + 1)
        it_out = {"number": number, "srm": None, "comparisons": [], "warnings": []}
        out["iterations"].append(it_out)
        if design == "randomized":
            _read_randomized(it, number, slug, specs, arms, it_out, batch)
        elif design == "before_after":
            _read_series(it, number, slug, specs, it_out, batch)
        else:
            _read_panel(it, number, slug, specs, it_out, batch)
    return out


def _read_randomized(it, number, slug, specs, arms, it_out, batch) -> None:
    arm_keys = [a.get("key") for a in arms]
    controls = [a.get("key") for a in arms if a.get("control")]
    if len(controls) != 1:
        raise StatsInputError("il faut exactement un bras témoin (control = true)", experiment=slug)
    control = controls[0]
    rows: dict = {}
    for r in it.get("results") or []:
        metric, arm = r.get("metric"), r.get("arm")
        if metric not in specs:
            raise StatsInputError("résultat pour un indicateur inconnu", experiment=slug, iteration=number, metric=metric)
        if arm not in arm_keys:
            raise StatsInputError("résultat pour un bras inconnu", experiment=slug, iteration=number, metric=metric, arm=arm)
        if (metric, arm) in rows:
            raise StatsInputError("résultat en double", experiment=slug, iteration=number, metric=metric, arm=arm)
        rows[metric, arm] = r
    if not rows:
        return
    group = batch.new_family()
    for key, spec in specs.items():
        base = rows.get((key, control))
        present = [a for a in arm_keys if a != control and (key, a) in rows]
        if present and base is None:
            it_out["warnings"].append(f"Indicateur « {key} » : pas de résultat pour le bras témoin « {control} ».")
            continue
        for arm in present:
            where = (slug, number, key, arm, control)
            comp = batch.add(spec, arm, control, where, group, it_out)
            batch.add_randomized(comp, spec, base, rows[key, arm], where)
    _srm(it_out, rows, specs, arms, slug, batch)


def _srm(it_out, rows, specs, arms, slug, batch) -> None:
    """Queue the SRM test of the iteration, on the first metric with n for every arm."""
    keys = [a.get("key") for a in arms]
    for key, spec in specs.items():
        if spec["kind"] == "rate" or not all((key, a) in rows for a in keys):
            continue
        if spec["kind"] == "ordinal":
            observed = [float(sum(rows[key, a].get("counts") or [])) for a in keys]
        else:
            observed = [float(rows[key, a].get("n") or 0) for a in keys]
        shares = [a.get("share") for a in arms]
        if any(s is None for s in shares):
            shares = [1.0] * len(keys)
        if any(not isinstance(s, (int, float)) or s <= 0 for s in shares):
            raise StatsInputError("les parts prévues (share) des bras doivent être positives", experiment=slug)
        batch.srm.append((it_out, observed, [float(s) for s in shares]))
        return


def _number(row, name, where, side="arm"):
    experiment, iteration, metric, arm, control = where
    value = row.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StatsInputError(
            f"valeur « {name} » manquante ou non numérique ({value!r})",
            experiment=experiment, iteration=iteration, metric=metric, arm=arm if side == "arm" else control,
        )
    return float(value)


def _read_series(it, number, slug, specs, it_out, batch) -> None:
    from .observational import read_series

    read_series(it, number, slug, specs, it_out, batch)


def _read_panel(it, number, slug, specs, it_out, batch) -> None:
    from .observational import read_panel

    read_panel(it, number, slug, specs, it_out, batch)


# --------------------------------------------------------------------------- batch


class _Batch:
    """Comparisons of all documents, stored column-wise, computed kind by kind."""

    def __init__(self) -> None:
        self.dicts: list[dict] = []
        self.where: list = []
        self.family: list[int] = []
        self.primary_family: list = []
        self.plan: list[tuple] = []  # (alpha, sign, guardrail, mde, power) per comparison
        self.pending: list[tuple] = []  # values of the non-randomized fits, set at compute time
        self.values: dict[str, np.ndarray] = {}
        self.inputs: dict[str, list] = {k: [] for k in KINDS}
        self.srm: list = []
        self._families = 0
        self._family_ids: dict = {}

    def new_family(self) -> int:
        self._families += 1
        return self._families

    def add(self, spec, arm, control, where, group, it_out) -> int:
        i = len(self.dicts)
        d = dict.fromkeys(CONTRACT_KEYS)
        d.update(metric=spec["key"], role=spec["role"], kind=spec["kind"], arm=arm, control=control)
        d.update(alpha=spec["alpha"], mde=spec["mde"], direction=spec["direction"], statistic=None,
                 warnings=[], not_estimable=None, planning=None)
        self.dicts.append(d)
        it_out["comparisons"].append(d)
        self.where.append(where)
        self.family.append(self._family_ids.setdefault((group, spec["key"]), len(self._family_ids)))
        self.primary_family.append((group, arm) if spec["role"] == "primary" else None)
        self.plan.append(spec["plan"])
        return i

    def set(self, i, **values) -> None:
        self.pending.append((i, values))

    def add_randomized(self, i, spec, base, row, where) -> None:
        kind = spec["kind"]
        if kind == "binary":
            data = (_number(base, "successes", where, "control"), _number(base, "n", where, "control"),
                    _number(row, "successes", where), _number(row, "n", where))
        elif kind == "mean":
            data = (_number(base, "n", where, "control"), _number(base, "mean", where, "control"),
                    _number(base, "sd", where, "control"), _number(row, "n", where),
                    _number(row, "mean", where), _number(row, "sd", where))
        elif kind == "rate":
            data = (_number(base, "events", where, "control"), _number(base, "exposure", where, "control"),
                    _number(row, "events", where), _number(row, "exposure", where))
        else:
            counts = []
            for r, side in ((base, "control"), (row, "arm")):
                c = r.get("counts")
                if not isinstance(c, (list, tuple)) or not all(
                    isinstance(x, (int, float)) and not isinstance(x, bool) for x in c
                ):
                    _, iteration, metric, arm, control = where
                    raise StatsInputError(
                        "comptages (counts) manquants ou non numériques", experiment=where[0],
                        iteration=iteration, metric=metric, arm=arm if side == "arm" else control,
                    )
                counts.append(c)
            data = (counts[0], counts[1], spec["n_levels"])
        self.inputs[kind].append((i, spec, data))

    # ----------------------------------------------------------------- compute

    def compute(self) -> None:
        n = len(self.dicts)
        v = self.values = {c: np.full(n, np.nan) for c in COLUMNS}
        if n:
            v["alpha"], v["sign"], v["guardrail"], v["mde"], v["power"] = np.array(self.plan, dtype=float).T
            v["v_margin"] = v["mde"].copy()
            v["v_null"] = np.zeros(n)
        for i, values in self.pending:
            for k, x in values.items():
                v[k][i] = x
        if self.srm:
            self._compute_srm()
        for kind in KINDS:
            if self.inputs[kind]:
                getattr(self, f"_compute_{kind}")(self.inputs[kind])
        if self.dicts:
            self._finish()

    def _scatter(self, ids, res, keys) -> None:
        for k in keys:
            self.values[k][ids] = res[k]

    def _compute_srm(self) -> None:
        from .srm import is_mismatch, srm_check

        _, p = srm_check([o for _, o, _ in self.srm], [s for _, _, s in self.srm])
        for (it_out, _, _), pv, mismatch in zip(self.srm, p.tolist(), is_mismatch(p).tolist()):
            it_out["srm"] = {"p_value": clean(pv), "mismatch": bool(mismatch)}
            if mismatch:
                it_out["warnings"].append(SRM_WARNING)
                for d in it_out["comparisons"]:
                    d["warnings"].insert(0, SRM_WARNING)

    def _compute_binary(self, items) -> None:
        from .binary import compare_binary
        from .posterior import prob_b_beats_a

        ids = [i for i, _, _ in items]
        x_a, n_a, x_b, n_b = np.array([d for _, _, d in items], dtype=float).T
        alpha = np.array([s["alpha"] for _, s, _ in items])
        res = compare_binary(x_a, n_a, x_b, n_b, alpha, where=[self.where[i] for i in ids])
        up, down = prob_b_beats_a(x_a, n_a, x_b, n_b)
        sign = np.array([s["sign"] for _, s, _ in items])
        res["probability_better"] = np.where(sign > 0, up, down)
        res["effect"], res["v_low"], res["v_high"] = res["difference"], res["difference_low"], res["difference_high"]
        res["n_a"], res["n_b"] = n_a, n_b
        res["plan_base"] = np.array(
            [s["baseline"] if s["baseline"] is not None else v for (_, s, _), v in zip(items, res["control_value"].tolist())],
            dtype=float,
        )
        self._scatter(ids, res, ("control_value", "arm_value", "difference", "difference_low", "difference_high",
                                 "ratio", "ratio_low", "ratio_high", "statistic", "p_value", "probability_better",
                                 "effect", "v_low", "v_high", "n_a", "n_b", "plan_base"))
        methods = METHODS["binary"]
        for i, fisher, xa, xb, na, nb in zip(ids, res["fisher"].tolist(), x_a.tolist(), x_b.tolist(),
                                             n_a.tolist(), n_b.tolist()):
            d = self.dicts[i]
            d["method"] = methods[1] if fisher else methods[0]
            if xa == 0:
                d["warnings"].append(
                    "Aucun succès dans les deux bras : le rapport n'est pas estimable." if xb == 0
                    else "Aucun succès dans le bras témoin : le rapport n'est pas défini."
                )
            elif xa == na and xb == nb:
                d["warnings"].append("100 % de succès dans les deux bras : l'intervalle du rapport n'est pas estimable.")

    def _compute_mean(self, items) -> None:
        from .mean import compare_mean

        ids = [i for i, _, _ in items]
        n_a, m_a, s_a, n_b, m_b, s_b = np.array([d for _, _, d in items], dtype=float).T
        alpha = np.array([s["alpha"] for _, s, _ in items])
        res = compare_mean(n_a, m_a, s_a, n_b, m_b, s_b, alpha, where=[self.where[i] for i in ids])
        res["effect"], res["v_low"], res["v_high"] = res["difference"], res["difference_low"], res["difference_high"]
        res["n_a"], res["n_b"] = n_a, n_b
        res["plan_base"] = np.array(
            [s["baseline_sd"] if s["baseline_sd"] is not None else v for (_, s, _), v in zip(items, s_a.tolist())],
            dtype=float,
        )
        self._scatter(ids, res, ("control_value", "arm_value", "difference", "difference_low", "difference_high",
                                 "ratio", "statistic", "p_value", "effect", "v_low", "v_high", "n_a", "n_b",
                                 "plan_base"))
        for i, na, nb, se, ma in zip(ids, n_a.tolist(), n_b.tolist(), res["se"].tolist(), m_a.tolist()):
            d = self.dicts[i]
            d["method"] = METHODS["mean"][0]
            if na < 2 or nb < 2:
                d["not_estimable"] = "Un bras n'a qu'une unité : sa variance ne peut pas être estimée."
            elif se == 0:
                d["not_estimable"] = "Écart-type nul dans les deux bras : le test de Welch n'est pas défini."
            if ma == 0:
                d["warnings"].append("Moyenne nulle dans le bras témoin : le rapport n'est pas défini.")

    def _compute_rate(self, items) -> None:
        from .rate import compare_rate

        ids = [i for i, _, _ in items]
        e_a, t_a, e_b, t_b = np.array([d for _, _, d in items], dtype=float).T
        alpha = np.array([s["alpha"] for _, s, _ in items])
        res = compare_rate(e_a, t_a, e_b, t_b, alpha, where=[self.where[i] for i in ids])
        mde = np.array([math.nan if s["mde"] is None else s["mde"] for _, s, _ in items])
        with np.errstate(divide="ignore", invalid="ignore"):
            res["v_margin"] = np.where(res["control_value"] > 0, mde / res["control_value"], np.nan)
        res["effect"], res["v_low"], res["v_high"] = res["difference"], res["ratio_low"], res["ratio_high"]
        res["v_null"] = np.ones(len(ids))
        self._scatter(ids, res, ("control_value", "arm_value", "difference", "ratio", "ratio_low", "ratio_high",
                                 "statistic", "p_value", "effect", "v_low", "v_high", "v_null", "v_margin"))
        for i, exact, ea, eb in zip(ids, res["exact"].tolist(), e_a.tolist(), e_b.tolist()):
            d = self.dicts[i]
            d["method"] = METHODS["rate"][1 if exact else 0]
            if ea == 0 and eb == 0:
                d["warnings"].append("Aucun événement dans les deux bras : le rapport n'est pas estimable.")
            elif ea == 0:
                d["warnings"].append(
                    "Aucun événement dans le bras témoin : le rapport n'est pas défini et "
                    "la borne supérieure de son intervalle est infinie."
                )

    def _compute_ordinal(self, items) -> None:
        from .ordinal import compare_ordinal

        ids = [i for i, _, _ in items]
        alpha = np.array([s["alpha"] for _, s, _ in items])
        res = compare_ordinal(
            [d[0] for _, _, d in items], [d[1] for _, _, d in items], alpha,
            n_levels=[d[2] for _, _, d in items], where=[self.where[i] for i in ids],
        )
        res["effect"] = res["estimate"] - 0.5
        res["v_low"], res["v_high"] = res["low"], res["high"]
        res["v_null"] = np.full(len(ids), 0.5)
        self._scatter(ids, res, ("statistic", "p_value", "effect", "v_low", "v_high", "v_null", "n_a", "n_b"))
        for i, est, low, high, p in zip(ids, res["estimate"].tolist(), res["low"].tolist(),
                                        res["high"].tolist(), res["p_value"].tolist()):
            d = self.dicts[i]
            d["method"] = METHODS["ordinal"][0]
            d["probability_of_superiority"] = clean(est)
            d["probability_of_superiority_ci"] = [clean(low), clean(high)]
            if p != p:
                d["not_estimable"] = (
                    "Variance de Brunner-Munzel nulle (réponses toutes au même niveau ou bras "
                    "totalement séparés) : ni intervalle ni p-value."
                )

    def _finish(self) -> None:
        from .multiple import holm
        from .verdict import verdicts

        v = self.values
        p_adj = holm(v["p_value"], np.asarray(self.family))
        prim = [k for k, f in enumerate(self.primary_family) if f is not None]
        if prim:
            labels = {}
            fam = np.array([labels.setdefault(self.primary_family[k], len(labels)) for k in prim])
            p_adj[prim] = holm(p_adj[prim], fam)
        verdict = verdicts(p_adj, v["effect"], v["v_low"], v["v_high"], v["alpha"], v["sign"],
                           v["v_margin"], v["v_null"], v["guardrail"])
        planning = self._planning(v, verdict)
        cols = {k: column(v[k]) for k in ("control_value", "arm_value", "difference", "difference_low",
                                          "difference_high", "ratio", "ratio_low", "ratio_high", "statistic",
                                          "p_value", "probability_better")}
        cols["p_value_adjusted"] = column(p_adj)
        for i, d in enumerate(self.dicts):
            d["control_value"] = cols["control_value"][i]
            d["arm_value"] = cols["arm_value"][i]
            d["difference"] = cols["difference"][i]
            d["difference_ci"] = _ci(cols["difference_low"][i], cols["difference_high"][i])
            d["ratio"] = cols["ratio"][i]
            d["ratio_ci"] = _ci(cols["ratio_low"][i], cols["ratio_high"][i])
            d["p_value"] = cols["p_value"][i]
            d["p_value_adjusted"] = cols["p_value_adjusted"][i]
            d["statistic"] = cols["statistic"][i]
            d["probability_better"] = cols["probability_better"][i]
            d["verdict"] = "too_short" if d.get("too_short") else str(verdict[i])
            smallest = min(v["n_a"][i], v["n_b"][i])
            if math.isfinite(smallest) and smallest < SMALL_SAMPLE:
                d["warnings"].append(SMALL_SAMPLE_WARNING % {"n": int(smallest)})
            if d["verdict"] == "guardrail_breached":
                d["warnings"].insert(0, GUARDRAIL_WARNING)
            if planning is not None and planning[i] is not None:
                d["planning"] = planning[i]

    def _planning(self, v, verdict):
        """Planning figures for binary and mean comparisons (None elsewhere)."""
        from . import planning as pl

        kinds = np.array([d["kind"] for d in self.dicts])
        out: list = [None] * len(self.dicts)
        inconclusive = verdict == "inconclusive"
        randomized = np.isfinite(v["mde"]) & np.isfinite(v["n_a"])
        binary = np.flatnonzero((kinds == "binary") & randomized)
        if binary.size:
            b = {k: v[k][binary] for k in ("plan_base", "mde", "sign", "alpha", "n_a", "n_b")}
            power_target = v["power"][binary]
            need = pl.sample_size_binary(b["plan_base"], b["mde"], b["sign"], b["alpha"], power_target)
            achieved = pl.power_binary(b["plan_base"], b["mde"], b["n_a"], b["n_b"], b["sign"], b["alpha"])
            _, mde_n = pl.mde_binary(b["plan_base"], b["n_a"], b["n_b"], b["sign"], b["alpha"], power_target)
            more = np.maximum(0.0, need - np.minimum(b["n_a"], b["n_b"]))
            for j, i in enumerate(binary.tolist()):
                out[i] = _plan(need[j], more[j] if inconclusive[i] else None, achieved[j], mde_n[j])
        means = np.flatnonzero((kinds == "mean") & randomized)
        if means.size:
            m = {k: v[k][means] for k in ("plan_base", "mde", "alpha", "n_a", "n_b")}
            achieved = pl.power_mean(m["mde"], m["plan_base"], m["n_a"], m["n_b"], m["alpha"])
            for j, i in enumerate(means.tolist()):
                power = v["power"][i]
                need = pl.sample_size_mean(m["mde"][j], m["plan_base"][j], m["alpha"][j], power)
                mde_n = pl.mde_mean(m["plan_base"][j], m["n_a"][j], m["n_b"][j], m["alpha"][j], power)
                more = None
                if need is not None and inconclusive[i]:
                    more = max(0.0, need - min(m["n_a"][j], m["n_b"][j]))
                out[i] = _plan(need, more, achieved[j], mde_n)
        return out


def _plan(need, more, achieved, mde_n) -> dict:
    need, more = clean(need), clean(more)
    return {
        "n_per_arm_needed": None if need is None else int(need),
        "more_units_needed": None if more is None else int(math.ceil(more)),
        "achieved_power": clean(achieved),
        "mde_at_n": clean(mde_n),
    }


def _ci(low, high):
    """[low, high], or None when neither bound is known."""
    if low is None and high is None:
        return None
    return [low, high]
