"""Experiment-level glue: ``tal-experiment/1`` documents in, evaluation JSON out.

``evaluate_portfolio(docs)`` reads every document, gathers all randomized
comparisons of all documents per kind into arrays, computes each kind in one
vectorised call, adjusts p-values (Holm), gives verdicts and planning figures in
one call each, then writes the output. ``evaluate_experiment(doc)`` is the
portfolio of one.

Output per comparison: the contract keys of DESIGN.md ("Evaluation output") plus
``alpha``, ``mde``, ``direction``, ``statistic``, ``warnings`` (French strings),
``warning_templates`` (each warning's French template and parameters, for
translation), ``not_estimable`` (French reason when the p-value cannot be computed,
else null), and ``planning`` for randomized metrics whose plan gives a size
({n_per_arm_needed, more_units_needed (only with an inconclusive verdict),
achieved_power and mde_at_n (binary and mean), alpha_per_comparison, power, unit:
"units", or "exposure" for rates}).

Non-randomized designs (before_after, comparison_group): see ``observational``;
their verdict is ``too_short`` when the design cannot conclude on the data.

p-value adjustment: Holm across the arms of a metric within an iteration, then,
when an iteration has several primary metrics, Holm again across them, arm by
arm (on the already adjusted p-values).

Verdicts (STATS.md, Verdict; ``tal.stats.intervals``): each randomized verdict is
read from the interval inverted from the test that gave its p-value, at the level
the adjustment implies (``verdict_level``; ``comparisons_adjusted`` is the
Bonferroni count of arms × primary metrics), on ``verdict_scale`` (difference, odds
ratio under Fisher, rate ratio, probability of superiority); ``verdict_ci`` is that
interval when it differs from the one of the estimate.

Looking early (``tal.stats.sequential``): while the smallest arm is below the size
planned at the adjusted alpha (``planning.n_per_arm_needed``; exposure for rates),
``interim`` is true, ``sequential_p_value`` is the always-valid mixture SPRT p-value,
and it is the one adjusted and read (with its confidence sequence).

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
from .intervals import bonferroni_floor
from .errors import StatsInputError

KINDS = ("binary", "mean", "rate", "ordinal")
ROLES = ("primary", "secondary", "guardrail")
DESIGNS = ("randomized", "before_after", "comparison_group")

METHODS = {
    "binary": ("pooled z-test", "Fisher exact test"),
    "mean": ("Welch t-test", "Welch t-test"),
    "rate": ("score test", "exact conditional test"),
    "ordinal": ("Brunner-Munzel", "exact sign test on pairs (complete separation)"),
}
ORDINAL_SEPARATED_WARNING = (
    "Réponses des deux bras totalement séparées : la p-value vient d'un test exact des signes sur "
    "des paires de réponses, prudent, et l'intervalle de la borne exacte correspondante."
)
ORDINAL_FLAT = "Toutes les réponses des deux bras sont au même niveau : aucune différence mesurable."
SMALL_SAMPLE = 30
SMALL_SAMPLE_WARNING = (
    "Petit échantillon (%(n)d unités dans le plus petit bras) : l'intervalle est large et "
    "le résultat fragile ; seul un effet important pourrait être mis en évidence."
)
SMALL_SAMPLE_WARNING_ONE = (
    "Petit échantillon (%(n)d unité dans le plus petit bras) : l'intervalle est large et "
    "le résultat fragile ; seul un effet important pourrait être mis en évidence."
)
MISSING_CONTROL_WARNING = "Indicateur « %(metric)s » : pas de résultat pour le bras témoin « %(control)s »."
INTERIM_WARNING = (
    "Résultat intermédiaire : l'effectif prévu n'est pas encore atteint ; la conclusion utilise un "
    "test séquentiel (mixture SPRT) qui reste valable quel que soit le nombre de consultations."
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
    # inputs of the verdict intervals and of the sequential test
    "x_a", "x_b", "t_a", "t_b", "se", "df", "exact", "flat",
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
            warn(it_out, MISSING_CONTROL_WARNING, metric=key, control=control)
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
        self.randomized: set[int] = set()  # comparisons of randomized designs (arms to size)
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
        self.randomized.add(i)
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
        res["n_a"], res["n_b"], res["x_a"], res["x_b"], res["exact"] = n_a, n_b, x_a, x_b, res["fisher"]
        res["plan_base"] = np.array(
            [s["baseline"] if s["baseline"] is not None else v for (_, s, _), v in zip(items, res["control_value"].tolist())],
            dtype=float,
        )
        self._scatter(ids, res, ("control_value", "arm_value", "difference", "difference_low", "difference_high",
                                 "ratio", "ratio_low", "ratio_high", "statistic", "p_value", "probability_better",
                                 "effect", "v_low", "v_high", "n_a", "n_b", "plan_base", "x_a", "x_b", "exact"))
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
                                 "plan_base", "se", "df"))
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
        res["x_a"], res["t_a"], res["x_b"], res["t_b"] = e_a, t_a, e_b, t_b
        res["plan_base"] = np.array(
            [s["baseline"] if s["baseline"] is not None else v for (_, s, _), v in zip(items, res["control_value"].tolist())],
            dtype=float,
        )
        self._scatter(ids, res, ("control_value", "arm_value", "difference", "ratio", "ratio_low", "ratio_high",
                                 "statistic", "p_value", "effect", "v_low", "v_high", "v_null", "v_margin",
                                 "x_a", "t_a", "x_b", "t_b", "exact", "plan_base"))
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
        res["flat"] = res["flat"].astype(float)
        self._scatter(ids, res, ("statistic", "p_value", "effect", "v_low", "v_high", "v_null", "n_a", "n_b",
                                 "se", "df", "flat"))
        for i, est, low, high, separated, flat in zip(ids, res["estimate"].tolist(), res["low"].tolist(),
                                                      res["high"].tolist(), res["separated"].tolist(),
                                                      res["flat"].tolist()):
            d = self.dicts[i]
            d["method"] = METHODS["ordinal"][1 if separated else 0]
            d["probability_of_superiority"] = clean(est)
            d["probability_of_superiority_ci"] = _ci(clean(low), clean(high))
            if separated:
                warn(d, ORDINAL_SEPARATED_WARNING)
            elif flat:
                d["not_estimable"] = ORDINAL_FLAT
                warn(d, ORDINAL_FLAT)

    def _finish(self) -> None:
        from .multiple import holm
        from .verdict import verdicts

        v = self.values
        kinds = np.array([d["kind"] for d in self.dicts])
        randomized = np.isin(np.arange(len(self.dicts)), list(self.randomized))
        m_total = self._multiplicity()
        need = self._planned_size(v, kinds, randomized, m_total)
        size = np.where(kinds == "rate", np.minimum(v["t_a"], v["t_b"]), np.minimum(v["n_a"], v["n_b"]))
        with np.errstate(invalid="ignore"):
            interim = randomized & np.isfinite(need) & (size < need)
        seq = self._sequential(v, kinds, interim)
        p_test = np.where(interim, seq["p"], v["p_value"])
        p_adj = holm(p_test, np.asarray(self.family))
        prim = [k for k, f in enumerate(self.primary_family) if f is not None]
        if prim:
            labels = {}
            fam = np.array([labels.setdefault(self.primary_family[k], len(labels)) for k in prim])
            p_adj[prim] = holm(p_adj[prim], fam)
        level = bonferroni_floor(p_test, p_adj, v["alpha"], m_total)
        scale = self._verdict_intervals(v, kinds, randomized, interim, seq, level, p_test)
        verdict = verdicts(p_adj, v["effect"], v["v_low"], v["v_high"], v["alpha"], v["sign"],
                           v["v_margin"], v["v_null"], v["guardrail"])
        planning = self._planning(v, verdict, kinds, need, m_total)
        cols = {k: column(v[k]) for k in ("control_value", "arm_value", "difference", "difference_low",
                                          "difference_high", "ratio", "ratio_low", "ratio_high", "statistic",
                                          "p_value", "probability_better", "v_low", "v_high")}
        cols["p_value_adjusted"] = column(p_adj)
        cols["sequential"] = column(seq["p"])
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
            d["interim"] = bool(interim[i])
            d["comparisons_adjusted"] = int(m_total[i])
            d["sequential_p_value"] = cols["sequential"][i] if interim[i] else None
            shown = {"difference": d["difference_ci"], "ratio": d["ratio_ci"],
                     "probability_of_superiority": d.get("probability_of_superiority_ci")}.get(scale[i])
            verdict_ci = _ci(cols["v_low"][i], cols["v_high"][i])
            d["verdict_scale"] = scale[i]
            d["verdict_level"] = clean(1.0 - level[i])
            d["verdict_ci"] = None if _same(verdict_ci, shown) else verdict_ci
            if interim[i]:
                warn(d, INTERIM_WARNING)
            smallest = min(v["n_a"][i], v["n_b"][i])
            if math.isfinite(smallest) and smallest < SMALL_SAMPLE:
                warn(d, SMALL_SAMPLE_WARNING_ONE if smallest < 2 else SMALL_SAMPLE_WARNING, n=int(smallest))
            if d["verdict"] == "guardrail_breached":
                d["warnings"].insert(0, GUARDRAIL_WARNING)
            if planning[i] is not None:
                d["planning"] = planning[i]

    def _multiplicity(self) -> np.ndarray:
        """How many comparisons each verdict is adjusted over: the arms of its metric,
        times the primary metrics of its arm when it is primary (Bonferroni count)."""
        family = np.asarray(self.family)
        arms = np.bincount(family)[family].astype(float)
        labels: dict = {}
        prim = np.array([-1 if f is None else labels.setdefault(f, len(labels)) for f in self.primary_family])
        metrics = np.ones(len(self.dicts))
        if labels:
            counts = np.bincount(prim[prim >= 0])
            metrics[prim >= 0] = counts[prim[prim >= 0]]
        return arms * metrics

    def _planned_size(self, v, kinds, randomized, m_total) -> np.ndarray:
        """Units (rate: exposure) per arm for the plan's power at the multiplicity-adjusted
        alpha; NaN where the plan does not give it (no mde, or no baseline)."""
        from . import planning as pl

        need = np.full(len(self.dicts), np.nan)
        alpha = v["alpha"] / m_total
        for kind in KINDS:
            sel = np.flatnonzero((kinds == kind) & randomized & np.isfinite(v["mde"]))
            if not sel.size:
                continue
            if kind == "binary":
                need[sel] = pl.sample_size_binary(v["plan_base"][sel], v["mde"][sel], v["sign"][sel], alpha[sel],
                                                  v["power"][sel])
            elif kind == "mean":
                need[sel] = [pl.sample_size_mean(m, b, a, w) or math.nan for m, b, a, w in
                             zip(v["mde"][sel], v["plan_base"][sel], alpha[sel], v["power"][sel])]
            elif kind == "rate":
                need[sel] = np.ceil(pl.sample_size_rate(v["plan_base"][sel], v["mde"][sel], v["sign"][sel],
                                                        alpha[sel], v["power"][sel]))
            else:
                need[sel] = pl.sample_size_ordinal(v["mde"][sel], alpha[sel], v["power"][sel])
        return need

    def _sequential(self, v, kinds, interim) -> dict:
        """Estimate, standard error and mixing scale of each interim comparison, on the
        scale of its sequential test, and its always-valid p-value."""
        from .sequential import always_valid_p

        n = len(self.dicts)
        est, se, tau = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
        with np.errstate(all="ignore"):
            b = interim & (kinds == "binary")
            p_a, p_b = v["x_a"] / v["n_a"], v["x_b"] / v["n_b"]
            wald = np.sqrt(p_a * (1 - p_a) / v["n_a"] + p_b * (1 - p_b) / v["n_b"])
            pooled = (v["x_a"] + v["x_b"]) / (v["n_a"] + v["n_b"])
            wald = np.where(wald > 0, wald, np.sqrt(pooled * (1 - pooled) * (1 / v["n_a"] + 1 / v["n_b"])))
            est[b], se[b], tau[b] = v["difference"][b], wald[b], v["mde"][b]
            m = interim & (kinds == "mean")
            est[m], se[m], tau[m] = v["difference"][m], v["se"][m], v["mde"][m]
            r = interim & (kinds == "rate")
            half = np.where((v["x_a"] == 0) | (v["x_b"] == 0), 0.5, 0.0)
            log_ratio = np.log((v["x_b"] + half) / v["t_b"]) - np.log((v["x_a"] + half) / v["t_a"])
            est[r], se[r] = log_ratio[r], np.sqrt(1 / (v["x_a"] + half) + 1 / (v["x_b"] + half))[r]
            tau[r] = np.abs(np.log1p(v["v_margin"][r]))
            o = interim & (kinds == "ordinal")
            null_se = np.sqrt((v["n_a"] + v["n_b"] + 1) / (12 * v["n_a"] * v["n_b"]))
            est[o], se[o], tau[o] = v["effect"][o], np.where(v["se"] > 0, v["se"], null_se)[o], v["mde"][o]
        return {"estimate": est, "se": se, "tau": tau, "p": np.where(interim, always_valid_p(est, se, tau), np.nan)}

    def _verdict_intervals(self, v, kinds, randomized, interim, seq, level, p_test) -> list[str]:
        """Replace v_low/v_high of randomized comparisons by the interval inverted from
        the test that decides, at its adjusted level; return each one's scale."""
        from . import intervals as iv
        from .ordinal import ordinal_interval
        from .rate import ratio_interval
        from .sequential import confidence_sequence

        scale = ["difference"] * len(self.dicts)
        exact = v["exact"] == 1.0
        for kind in ("binary", "rate", "mean", "ordinal"):
            for i in np.flatnonzero(kinds == kind).tolist():
                scale[i] = {"rate": "ratio", "ordinal": "probability_of_superiority"}.get(kind, "difference")
        fixed = randomized & ~interim
        sel = np.flatnonzero(fixed & (kinds == "binary") & ~exact)
        if sel.size:
            v["v_low"][sel], v["v_high"][sel] = iv.score_diff_interval(
                v["x_a"][sel], v["n_a"][sel], v["x_b"][sel], v["n_b"][sel], level[sel])
        for i in np.flatnonzero(fixed & (kinds == "binary") & exact).tolist():
            v["v_low"][i], v["v_high"][i] = iv.fisher_or_interval(
                v["x_a"][i], v["n_a"][i], v["x_b"][i], v["n_b"][i], p_test[i], level[i])
            v["v_null"][i], scale[i] = 1.0, "odds_ratio"
            v["v_margin"][i] = _odds_margin(v["control_value"][i], v["mde"][i], v["sign"][i])
        sel = np.flatnonzero(fixed & (kinds == "mean"))
        if sel.size:
            v["v_low"][sel], v["v_high"][sel] = iv.welch_interval(v["difference"][sel], v["se"][sel], v["df"][sel],
                                                                  level[sel])
        sel = np.flatnonzero(fixed & (kinds == "rate") & ~exact)
        if sel.size:
            v["v_low"][sel], v["v_high"][sel] = ratio_interval(v["x_a"][sel], v["t_a"][sel], v["x_b"][sel],
                                                               v["t_b"][sel], level[sel])
        for i in np.flatnonzero(fixed & (kinds == "rate") & exact).tolist():
            v["v_low"][i], v["v_high"][i] = iv.exact_rate_interval(
                v["x_a"][i], v["t_a"][i], v["x_b"][i], v["t_b"][i], p_test[i], level[i])
        sel = np.flatnonzero(fixed & (kinds == "ordinal"))
        if sel.size:
            m_pairs = np.minimum(v["n_a"][sel], v["n_b"][sel])
            v["v_low"][sel], v["v_high"][sel] = ordinal_interval(v["effect"][sel] + 0.5, v["se"][sel], v["df"][sel],
                                                                 m_pairs, level[sel])
        sel = np.flatnonzero(interim)
        if sel.size:
            low, high = confidence_sequence(seq["estimate"][sel], seq["se"][sel], seq["tau"][sel], level[sel])
            k = kinds[sel]
            # Back to each scale, within its range (a difference of proportions within
            # ±1): cutting at the range keeps whether the interval excludes no effect.
            with np.errstate(over="ignore"):
                low, high = (np.where(k == "rate", np.exp(b), np.where(k == "ordinal", np.clip(b + 0.5, 0, 1),
                                      np.where(k == "binary", np.clip(b, -1, 1), b))) for b in (low, high))
            v["v_low"][sel], v["v_high"][sel] = low, high
        return scale

    def _planning(self, v, verdict, kinds, need, m_total):
        """Planning figures of randomized comparisons at the multiplicity-adjusted alpha
        (None for the other designs: they have no arms to size)."""
        from . import planning as pl

        out: list = [None] * len(self.dicts)
        inconclusive = verdict == "inconclusive"
        alpha = v["alpha"] / m_total
        size = np.where(kinds == "rate", np.minimum(v["t_a"], v["t_b"]), np.minimum(v["n_a"], v["n_b"]))
        with np.errstate(invalid="ignore"):
            more = np.maximum(0.0, need - size)
        achieved = np.full(len(self.dicts), np.nan)
        mde_n = np.full(len(self.dicts), np.nan)
        randomized = np.isin(np.arange(len(self.dicts)), list(self.randomized))
        binary = np.flatnonzero((kinds == "binary") & np.isfinite(v["mde"]) & randomized)
        if binary.size:
            b = {k: v[k][binary] for k in ("plan_base", "mde", "sign", "n_a", "n_b")}
            achieved[binary] = pl.power_binary(b["plan_base"], b["mde"], b["n_a"], b["n_b"], b["sign"], alpha[binary])
            mde_n[binary] = pl.mde_binary(b["plan_base"], b["n_a"], b["n_b"], b["sign"], alpha[binary],
                                          v["power"][binary])[1]
        means = np.flatnonzero((kinds == "mean") & np.isfinite(v["mde"]) & randomized)
        if means.size:
            m = {k: v[k][means] for k in ("plan_base", "mde", "n_a", "n_b")}
            achieved[means] = pl.power_mean(m["mde"], m["plan_base"], m["n_a"], m["n_b"], alpha[means])
            mde_n[means] = [pl.mde_mean(sd, na, nb, a, w) or math.nan for sd, na, nb, a, w in
                            zip(m["plan_base"], m["n_a"], m["n_b"], alpha[means], v["power"][means])]
        for i in np.flatnonzero(np.isfinite(need)).tolist():
            out[i] = _plan(need[i], more[i] if inconclusive[i] else None, achieved[i], mde_n[i])
            out[i]["alpha_per_comparison"] = clean(alpha[i])
            out[i]["power"] = clean(v["power"][i])
            out[i]["unit"] = "exposure" if kinds[i] == "rate" else "units"
        return out


def _odds_margin(p0, mde, sign) -> float:
    """The mde as an odds ratio minus one (signed) from the control proportion p0."""
    target = p0 + sign * mde
    if not (0 < target < 1 and 0 < p0 < 1):
        return math.nan
    odds_ratio = (target / (1 - target)) / (p0 / (1 - p0))
    return sign * (odds_ratio - 1.0)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return all((x is None and y is None) or (x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9,
               abs_tol=1e-12)) for x, y in zip(a, b))


def _plan(need, more, achieved, mde_n) -> dict:
    need, more = clean(need), clean(more)
    return {
        "n_per_arm_needed": None if need is None else int(need),
        "more_units_needed": None if more is None else int(math.ceil(more)),
        "achieved_power": clean(achieved),
        "mde_at_n": clean(mde_n),
    }


def warn(target: dict, template: str, first: bool = False, **params) -> None:
    """Add a French warning, and its template and parameters for translation."""
    text = template % params if params else template
    templates = target.setdefault("warning_templates", [])
    if first:
        target["warnings"].insert(0, text)
        templates.insert(0, [template, params])
    else:
        target["warnings"].append(text)
        templates.append([template, params])


def _ci(low, high):
    """[low, high], or None when neither bound is known."""
    if low is None and high is None:
        return None
    return [low, high]
