"""The register's HTML pages. Each write opens its own transaction and, on invalid
input, renders the form again with the French message next to the field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tal import db
from tal.accounts.actor import Actor, can_create
from tal.accounts.services import service_names
from tal.audit.requests import record_request
from tal.core.errors import Conflict, DomainError, Forbidden, FormErrors
from tal.core.http import actor_of, signed_in
from tal.core.templating import flash, language, render
from tal.core.text import slugify
from tal.i18n import N_
from tal.core.validation import convert
from tal.experiments import extensions, fileformat, forms, services
from tal.experiments.schemas import (
    DESIGNS,
    FORMAT,
    STATUSES,
    Amendment,
    Decision,
    ExperimentFile,
    Header,
    Iteration,
    Learning,
)

HYPOTHESIS = {name: forms.text for name in ("key", "we_believe", "to_verify_we_will", "we_will_measure", "we_are_right_if")}
METRIC = {
    **{name: forms.text for name in ("key", "hypothesis", "label", "kind", "role", "direction")},
    **{name: forms.number for name in ("mde", "alpha", "power", "baseline", "baseline_sd")},
    "levels": forms.lines,
}
ARM = {"key": forms.text, "label": forms.text, "control": forms.checkbox, "share": forms.number}
LEARNING = {name: forms.text for name in Learning.__struct_fields__}
RESULT_FIELDS = {
    "binary": {"n": forms.integer, "successes": forms.integer},
    "mean": {"n": forms.integer, "mean": forms.number, "sd": forms.number},
    "rate": {"events": forms.integer, "exposure": forms.number},
    "ordinal": {},  # one field per level: ordinal_fields()
}


def ordinal_fields(metric, prefix: str) -> list[str]:
    """An ordinal metric's counts, one field per level (`counts[1]` is the first, worst, level)."""
    return [f"{prefix}counts[{i}]" for i in range(1, len(metric.levels or []) + 1)]


def ordinal_counts(form: FormMultiDict, metric, prefix: str) -> list[int] | None:
    """The counts per level; none when every level is blank, an error on the first blank one
    when only some are given."""
    names = ordinal_fields(metric, prefix)
    counts = [forms.integer(forms.get(form, name), name) for name in names]
    if all(c is None for c in counts):
        return None
    missing = [DomainError(N_("effectif manquant pour ce niveau (0 s'il n'y en a aucun)"), name)
               for name, c in zip(names, counts) if c is None]
    if missing:
        raise FormErrors(missing)
    return counts


async def editable(slug: str, actor: Actor) -> services.ExperimentView:
    async with db.transaction(write=False):
        view = await services.get(slug, actor)
    if not view.can_edit:
        raise Forbidden(N_("seules les équipes des services porteur et partenaires peuvent modifier cette expérimentation"))
    return view


def version_of(form: FormMultiDict, view: services.ExperimentView) -> int:
    """The version the form was based on; missing or stale is a conflict, before anything else
    (the write checks it again in its transaction)."""
    expected = forms.version(form)
    if expected != view.version:
        raise Conflict(services.STALE, "version")
    return expected
# Required fields, each with the plain message shown when it is left empty (all at once).
NEW_REQUIRED = {"title": N_("Indiquez un titre."), "service": N_("Choisissez le service porteur.")}
DECISION_REQUIRED = {"decision.decided_on": N_("Indiquez la date de la décision."),
                     "decision.rationale": N_("Donnez les motifs de la décision.")}
HEADER_FIELDS = ("title", "service", "summary", "visibility", "partner_services", "objectives")
ITERATION_FIELDS = ("started_on", "ended_on", "change", *(f"learning.{name}" for name in LEARNING))


def to_detail(slug: FromPath[str]) -> Redirect:
    return Redirect(f"/experimentations/{slug}", status_code=303)


# ---------------------------------------------------------------- reading


@get("/", name="home")
async def home(request: Request) -> Template:
    actor = actor_of(request)
    async with db.transaction(write=False):
        latest = await services.search(services.Filters(), actor)
        recognition = await extensions.get("recognition")(actor)
    return render(request, "home.html", latest=latest.items[:6], total=latest.total, journal=recognition)


async def list_context(request: Request, filters: services.Filters) -> dict[str, Any]:
    actor = actor_of(request)
    async with db.transaction(write=False):
        results = await services.search(filters, actor)
        return {
            "results": results,
            "filters": filters,
            "services": await service_names(),
            "objectives": await services.objective_titles(),
            "designs": DESIGNS,
            "statuses": STATUSES,
        }


@get("/experimentations", name="experiments")
async def experiment_list(
    request: Request,
    service: FromQuery[str] = "",
    objective: FromQuery[str] = "",
    status: FromQuery[str] = "",
    design: FromQuery[str] = "",
    q: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Template:
    filters = services.Filters(service[:120], objective[:200], status[:20], design[:20], q[:200], max(1, min(page, 10_000)))
    return render(request, "experiments/list.html", **await list_context(request, filters))


@get("/experimentations/{slug:str}", name="experiment")
async def experiment_detail(request: Request, slug: FromPath[str]) -> Response:
    if slug.endswith(".toml"):
        return await experiment_file(request, slug.removesuffix(".toml"))
    return render(request, "experiments/detail.html", **await detail_context(request, slug))


async def detail_context(request: Request, slug: str) -> dict[str, Any]:
    """The experiment page: the experiment and its evaluation, per iteration."""
    async with db.transaction(write=False):
        view = await services.get(slug, actor_of(request))
        evaluated = await extensions.get("evaluation_page")(slug, view.doc, language(request))
    return {"view": view, "doc": view.doc, "transitions": services.TRANSITIONS, **evaluated,
            "needed": extensions.get("sample_sizes")(view.doc), "error": None}


async def experiment_file(request: Request, slug: FromPath[str]) -> Response:
    async with db.transaction(write=False):
        view = await services.get(slug, actor_of(request))
    return Response(
        fileformat.dumps(view.doc),
        media_type="application/toml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{slug}.toml"'},
    )


# ---------------------------------------------------------------- header


def header_from(form: FormMultiDict, current: Header | None) -> dict[str, Any]:
    data = forms.fields(form, {"title": forms.text, "service": forms.text, "summary": forms.text, "visibility": forms.text,
                               "intervention": forms.text})
    data["partner_services"] = [s for s in forms.getall(form, "partner_services") if s != data.get("service")]
    data["objectives"] = forms.getall(form, "objectives")
    if current is not None:
        # Checkboxes come back in the page's order: keep the order the team gave.
        for key in ("partner_services", "objectives"):
            before = getattr(current, key)
            data[key] = sorted(data[key], key=lambda v: (before.index(v) if v in before else len(before), v))
    if current is None:
        data.update(forms.fields(form, {"slug": forms.text, "design": forms.text}))
        data["status"] = "draft"
    else:
        data.update(slug=current.slug, design=current.design, status=current.status, registered_at=current.registered_at)
        data.setdefault("visibility", current.visibility)
    return {k: v for k, v in data.items() if v is not None}


async def header_form_context(request: Request) -> dict[str, Any]:
    async with db.transaction(write=False):
        return {"services": await service_names(), "objectives": await services.objective_titles(), "designs": DESIGNS}


@get("/experimentations/nouvelle", name="experiment_new")
async def new_experiment_page(request: Request) -> Template:
    actor = signed_in(request)
    if not can_create(actor):
        raise Forbidden(N_("votre compte n'est rattaché à aucun service"))
    return render(request, "experiments/header_form.html", doc=None, form=None, error=None, **await header_form_context(request))


@post("/experimentations/nouvelle")
async def create_experiment(request: Request) -> Response:
    actor = signed_in(request)
    form = await request.form()
    try:
        forms.require_filled(form, NEW_REQUIRED)
        data = header_from(form, None)
        if not data.get("slug"):  # proposed from the title (the page proposes it as the title is typed)
            data["slug"] = slugify(data["title"])
        doc = convert({"format": FORMAT, "experiment": data}, ExperimentFile)
        taken = DomainError(N_("ce slug est déjà pris\u202f: choisissez-en un autre"), "experiment.slug")
        try:
            async with db.transaction():
                if await services.exists(doc.experiment.slug):
                    raise taken
                await services.save(doc, actor)
        except db.UNIQUE_VIOLATIONS:
            raise taken from None
    except DomainError as exc:
        exc.field = exc.field.removeprefix("experiment.") if exc.field else exc.field
        return render(request, "experiments/header_form.html", status_code=400, doc=None, form=form, error=exc,
                    **await header_form_context(request))
    flash(request, N_("Expérimentation enregistrée. Écrivez maintenant son plan."))
    return Redirect(f"/experimentations/{doc.experiment.slug}/plan", status_code=303)


@get("/experimentations/{slug:str}/modifier", name="experiment_edit")
async def edit_header_page(request: Request, slug: FromPath[str]) -> Template:
    view = await editable(slug, signed_in(request))
    return render(request, "experiments/header_form.html", doc=view.doc, view=view, form=None, error=None,
                **await header_form_context(request))


@post("/experimentations/{slug:str}/modifier")
async def edit_header(request: Request, slug: FromPath[str]) -> Response:
    actor = signed_in(request)
    view = await editable(slug, actor)
    form = await request.form()
    try:
        expected = version_of(form, view)  # first: a form without its version is a conflict
        forms.require(form, HEADER_FIELDS)
        header = convert(header_from(form, view.doc.experiment), Header, "experiment")
        async with db.transaction():
            await services.save(msgspec.structs.replace(view.doc, experiment=header), actor, expected_version=expected)
    except DomainError as exc:
        exc.field = exc.field.removeprefix("experiment.") if exc.field else exc.field
        return render(request, "experiments/header_form.html", status_code=exc.status_code, doc=view.doc, view=view,
                    form=form, error=exc, **await header_form_context(request))
    flash(request, N_("Expérimentation enregistrée."))
    return to_detail(slug)


# ---------------------------------------------------------------- plan


def plan_fields(doc: ExperimentFile) -> list[str]:
    """The fields the plan form shows for what exists (a row is removed by its box, not by leaving it out)."""
    names: list[str] = []
    sections = [("hypotheses", doc.hypotheses), ("metrics", doc.metrics)]
    if doc.experiment.design == "randomized":
        sections.append(("arms", doc.arms))
    for section, items in sections:
        names += [f"{section}[{i}].key" for i in range(1, len(items) + 1)]
    return names


def plan_from(form: FormMultiDict, doc: ExperimentFile) -> ExperimentFile:
    forms.require(form, plan_fields(doc))
    hypotheses, h_ranks = forms.rows(form, "hypotheses", HYPOTHESIS)
    metrics, m_ranks = forms.rows(form, "metrics", METRIC, identity=("key", "label", "hypothesis", "mde", "baseline",
                                                                     "baseline_sd", "levels"))
    arms, a_ranks = forms.rows(form, "arms", ARM, identity=("key", "label", "share"))
    data = msgspec.to_builtins(msgspec.structs.replace(doc, journal=[]), builtin_types=(dt.date, dt.datetime))
    data.update(hypotheses=hypotheses, metrics=metrics, arms=arms)
    design = forms.get(form, "experiment.design")
    if doc.experiment.status == "draft" and design:
        data["experiment"]["design"] = design
    try:
        new = convert(data, ExperimentFile)
        from tal.experiments import rules

        rules.check(new)
    except DomainError as exc:
        for section, ranks in (("hypotheses", h_ranks), ("metrics", m_ranks), ("arms", a_ranks)):
            forms.remap(exc, section, ranks)
        raise
    return new


def plan_page_context(view: services.ExperimentView, form: FormMultiDict | None, error: DomainError | None) -> dict:
    doc = view.doc
    counts = {
        "hypotheses": forms.row_count(form, "hypotheses", len(doc.hypotheses)),
        "metrics": forms.row_count(form, "metrics", len(doc.metrics)),
        "arms": forms.row_count(form, "arms", len(doc.arms), minimum=2),
    }
    return {"view": view, "doc": doc, "form": form, "error": error, "counts": counts,
            "needed": extensions.get("sample_sizes")(doc)}


@get("/experimentations/{slug:str}/plan", name="experiment_plan")
async def plan_page(request: Request, slug: FromPath[str]) -> Template:
    view = await editable(slug, signed_in(request))
    return render(request, "experiments/plan_form.html", **plan_page_context(view, None, None))


@post("/experimentations/{slug:str}/plan")
async def edit_plan(request: Request, slug: FromPath[str]) -> Response:
    actor = signed_in(request)
    view = await editable(slug, actor)
    form = await request.form()
    try:
        expected = version_of(form, view)  # first: a form without its version is a conflict
        new = plan_from(form, view.doc)
        amendment = None
        if view.doc.experiment.registered_at is not None:
            amendment = convert(
                {
                    "at": services.now(),
                    "major": forms.checkbox(forms.get(form, "amendment.major"), ""),
                    "reason": forms.get(form, "amendment.reason").strip(),
                    "change": forms.get(form, "amendment.change").strip(),
                },
                Amendment,
                "amendment",
            )
            if not amendment.reason:
                raise DomainError(N_("donnez la raison de l'amendement"), "amendment.reason")
        async with db.transaction():
            result = await services.save(new, actor, amendment=amendment, expected_version=expected)
            if result.amended:
                await record_request(request, actor, "experiment.amend", slug,
                                     {"reason": amendment.reason if amendment else "", "major": bool(amendment and amendment.major)})
    except DomainError as exc:
        return render(request, "experiments/plan_form.html", status_code=exc.status_code,
                    **plan_page_context(view, form, exc))
    flash(request, N_("Plan enregistré."))
    return to_detail(slug)


# ---------------------------------------------------------------- lifecycle


@post("/experimentations/{slug:str}/statut", name="experiment_status")
async def change_status(request: Request, slug: FromPath[str]) -> Response:
    actor = signed_in(request)
    view = await editable(slug, actor)  # 403 before anything for those who may not edit
    form = await request.form()
    try:
        expected = version_of(form, view)  # first: a form without its version is a conflict
        async with db.transaction():
            forms.require(form, ("to",))
            result = await services.transition(slug, forms.get(form, "to"), actor, expected_version=expected)
            if result.registered:
                await record_request(request, actor, "experiment.register", slug)
    except DomainError as exc:
        context = await detail_context(request, slug)
        return render(request, "experiments/detail.html", status_code=exc.status_code, **{**context, "error": exc})
    flash(request, N_("Statut de l'expérimentation changé."))
    return to_detail(slug)


@get("/experimentations/{slug:str}/decision", name="experiment_decision")
async def decision_page(request: Request, slug: FromPath[str]) -> Template:
    actor = signed_in(request)
    async with db.transaction(write=False):
        view = await services.get(slug, actor)
        names = await service_names()
    if not view.can_decide:
        raise Forbidden(N_("seul le comité transversal décide de la suite d'une expérimentation"))
    return render(request, "experiments/decision_form.html", view=view, doc=view.doc, form=None, error=None, services=names)


@post("/experimentations/{slug:str}/decision")
async def decide(request: Request, slug: FromPath[str]) -> Response:
    actor = signed_in(request)
    form = await request.form()
    async with db.transaction(write=False):
        view = await services.get(slug, actor)
        names = await service_names()
    try:
        expected = version_of(form, view)  # first: a form without its version is a conflict
        forms.require(form, ("decision.outcome", "decision.decided_on", "decision.rationale"))
        forms.require_filled(form, DECISION_REQUIRED)
        data = forms.fields(form, {"outcome": forms.text, "rationale": forms.text}, "decision.")
        data["target_services"] = forms.getall(form, "decision.target_services")
        data["members_present"] = [line.strip() for line in forms.get(form, "decision.members_present").splitlines()
                                   if line.strip()]
        decided_on = forms.get(form, "decision.decided_on")
        if not decided_on.strip():
            raise DomainError(N_("la date de la décision est obligatoire"), "decision.decided_on")
        data["decided_on"] = parse_date(decided_on, "decision.decided_on")
        decision = convert(data, Decision, "decision")
        async with db.transaction():
            await services.decide(slug, decision, actor, expected_version=expected)
            await record_request(request, actor, "experiment.decide", slug, {"outcome": decision.outcome})
    except DomainError as exc:
        return render(request, "experiments/decision_form.html", status_code=exc.status_code, view=view, doc=view.doc,
                    form=form, error=exc, services=names)
    flash(request, N_("Décision enregistrée."))
    return to_detail(slug)


# ---------------------------------------------------------------- iterations


def parse_date(value: str, path: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(N_("date attendue au format AAAA-MM-JJ"), path) from None


def iteration_from(form: FormMultiDict, current: Iteration | None, number: int) -> Iteration:
    if current is not None:
        forms.require(form, ITERATION_FIELDS)
    started = forms.get(form, "started_on")
    ended = forms.get(form, "ended_on")
    learning = forms.fields(form, LEARNING, "learning.")
    data: dict[str, Any] = msgspec.to_builtins(current, builtin_types=(dt.date,)) if current else {}
    data.update(
        number=number,
        started_on=parse_date(started, "started_on") if started.strip() else None,
        change=forms.get(form, "change").strip(),
    )
    if data["started_on"] is None:
        raise DomainError(N_("la date de début est obligatoire"), "started_on")
    data["ended_on"] = parse_date(ended, "ended_on") if ended.strip() else None
    data["learning"] = learning or None
    return convert({k: v for k, v in data.items() if v is not None}, Iteration)


async def save_iteration(request: Request, actor: Actor, view: services.ExperimentView, iteration: Iteration,
                         version: int, correction: str | None = None) -> None:
    others = [it for it in view.doc.iterations if it.number != iteration.number]
    iterations = sorted([*others, iteration], key=lambda it: it.number)
    new = msgspec.structs.replace(view.doc, iterations=iterations)
    try:
        async with db.transaction():
            result = await services.save(new, actor, expected_version=version, correction=correction)
            if result.corrected:
                await record_request(request, actor, "experiment.correct_results", view.slug,
                                     {"iteration": iteration.number, "reason": correction, "changes": result.corrected})
    except DomainError as exc:
        if exc.field and exc.field.startswith("iterations["):
            exc.field = exc.field.split("].", 1)[-1] if "]." in exc.field else exc.field
        raise


def find_iteration(view: services.ExperimentView, number: int) -> Iteration:
    for iteration in view.doc.iterations:
        if iteration.number == number:
            return iteration
    from tal.core.errors import NotFound

    raise NotFound(N_("aucune itération n° %(number)d"), None, {"number": number})


@get("/experimentations/{slug:str}/iterations/nouvelle", name="iteration_new")
async def new_iteration_page(request: Request, slug: FromPath[str]) -> Template:
    view = await editable(slug, signed_in(request))
    return render(request, "experiments/iteration_form.html", view=view, doc=view.doc, iteration=None, form=None, error=None)


@post("/experimentations/{slug:str}/iterations/nouvelle")
async def create_iteration(request: Request, slug: FromPath[str]) -> Response:
    actor = signed_in(request)
    view = await editable(slug, actor)
    form = await request.form()
    number = max((it.number for it in view.doc.iterations), default=0) + 1
    try:
        expected = version_of(form, view)  # first: a form without its version is a conflict
        await save_iteration(request, actor, view, iteration_from(form, None, number), expected)
    except DomainError as exc:
        return render(request, "experiments/iteration_form.html", status_code=exc.status_code, view=view, doc=view.doc,
                    iteration=None, form=form, error=exc)
    flash(request, N_("Itération ajoutée. Saisissez maintenant ses données."))
    return Redirect(f"/experimentations/{slug}/iterations/{number}/donnees", status_code=303)


@get("/experimentations/{slug:str}/iterations/{number:int}/modifier", name="iteration_edit")
async def edit_iteration_page(request: Request, slug: FromPath[str], number: FromPath[int]) -> Template:
    view = await editable(slug, signed_in(request))
    return render(request, "experiments/iteration_form.html", view=view, doc=view.doc,
                iteration=find_iteration(view, number), form=None, error=None)


@post("/experimentations/{slug:str}/iterations/{number:int}/modifier")
async def edit_iteration(request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
    actor = signed_in(request)
    view = await editable(slug, actor)
    current = find_iteration(view, number)
    form = await request.form()
    try:
        expected = version_of(form, view)  # first: a form without its version is a conflict
        await save_iteration(request, actor, view, iteration_from(form, current, number), expected)
    except DomainError as exc:
        return render(request, "experiments/iteration_form.html", status_code=exc.status_code, view=view, doc=view.doc,
                    iteration=current, form=form, error=exc)
    flash(request, N_("Itération enregistrée."))
    return to_detail(slug)


def data_fields(doc: ExperimentFile) -> list[str]:
    """Every field the data form shows: one left out would erase its value."""
    names: list[str] = []
    for metric in doc.metrics:
        if doc.experiment.design == "randomized":
            for arm in doc.arms:
                prefix = f"r.{metric.key}.{arm.key}."
                names += [prefix + name for name in RESULT_FIELDS[metric.kind]] + (
                    ordinal_fields(metric, prefix) if metric.kind == "ordinal" else [])
        elif doc.experiment.design == "before_after":
            names += [f"s.{metric.key}.{name}" for name in ("data", "intervention_at")]
        else:
            names += [f"p.{metric.key}.{name}" for name in ("data", "treated_units", "intervention_at")]
    return names


def results_from(form: FormMultiDict, doc: ExperimentFile, current: Iteration | None = None) -> tuple[list, list, list]:
    """Results per arm and metric (randomized), series (before/after) or panel. A series
    keeps the HAC lags an older file gave it (`hac_maxlags`, no longer used by the
    engine nor shown by the form, which does not carry it)."""
    forms.require(form, data_fields(doc))
    results, series, panel = [], [], []
    design = doc.experiment.design
    for m, metric in enumerate(doc.metrics, start=1):
        if design == "randomized":
            for arm in doc.arms:
                prefix = f"r.{metric.key}.{arm.key}."
                spec = RESULT_FIELDS[metric.kind]
                values = forms.fields(form, spec, prefix)
                if metric.kind == "ordinal" and (counts := ordinal_counts(form, metric, prefix)) is not None:
                    values["counts"] = counts
                if not values:
                    continue
                results.append({"metric": metric.key, "arm": arm.key, **values})
        elif design == "before_after":
            prefix = f"s.{metric.key}."
            counts = metric.kind == "rate"  # « période ; événements ; exposition »
            rows = forms.table(forms.get(form, prefix + "data"), prefix + "data", 3 if counts else 2)
            if not rows:
                continue
            entry: dict[str, Any] = {
                "metric": metric.key,
                "periods": [r[0] for r in rows],
                "values": [forms.number(r[1], prefix + "data") for r in rows],
                "intervention_at": forms.get(form, prefix + "intervention_at").strip(),
            }
            if counts:
                entry["exposure"] = [forms.number(r[2], prefix + "data") for r in rows]
            known = next((s for s in (current.series if current else []) if s.metric == metric.key), None)
            if known is not None and known.hac_maxlags is not None:
                entry["hac_maxlags"] = known.hac_maxlags
            series.append(entry)
        else:
            prefix = f"p.{metric.key}."
            rows = forms.table(forms.get(form, prefix + "data"), prefix + "data", 3)
            if not rows:
                continue
            panel.append(
                {
                    "metric": metric.key,
                    "intervention_at": forms.get(form, prefix + "intervention_at").strip(),
                    "treated_units": forms.lines(forms.get(form, prefix + "treated_units"), "") or [],
                    "units": [r[0] for r in rows],
                    "periods": [r[1] for r in rows],
                    "values": [forms.number(r[2], prefix + "data") for r in rows],
                }
            )
    return results, series, panel


def data_field(exc: DomainError, built: dict[str, list]) -> None:
    """Point an error on `iterations[k].results[j].n` (or series, panel) at its input."""
    if not exc.field:
        return
    match = re.search(r"(results|series|panel)\[(\d+)\]\.?(\w*)(\[\d+\])?", exc.field)
    if not match:
        return
    kind, index, name = match.group(1), int(match.group(2)) - 1, match.group(3)
    rows = built.get(kind, [])
    if index >= len(rows):
        return
    row = rows[index]
    if kind == "results":
        level = match.group(4) or ("[1]" if name == "counts" else "")  # an ordinal count: its level's field
        exc.field = f"r.{row['metric']}.{row['arm']}.{name or 'n'}{level}"
    else:
        prefix = "s" if kind == "series" else "p"
        field = name if name in ("intervention_at", "treated_units") else "data"
        exc.field = f"{prefix}.{row['metric']}.{field}"


@get("/experimentations/{slug:str}/iterations/{number:int}/donnees", name="iteration_data")
async def data_page(request: Request, slug: FromPath[str], number: FromPath[int]) -> Template:
    view = await editable(slug, signed_in(request))
    return render(request, "experiments/data_form.html", view=view, doc=view.doc,
                iteration=find_iteration(view, number), form=None, error=None)


@post("/experimentations/{slug:str}/iterations/{number:int}/donnees")
async def edit_data(request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
    actor = signed_in(request)
    view = await editable(slug, actor)
    current = find_iteration(view, number)
    form = await request.form()
    built: dict[str, list] = {}
    try:
        expected = version_of(form, view)  # first: a form without its version is a conflict
        results, series, panel = results_from(form, view.doc, current)
        built = {"results": results, "series": series, "panel": panel}
        data = msgspec.to_builtins(current, builtin_types=(dt.date,))
        data.update(results=results, series=series, panel=panel)
        await save_iteration(request, actor, view, convert(data, Iteration), expected,
                             correction=forms.get(form, "correction.reason"))
    except DomainError as exc:
        data_field(exc, built)
        return render(request, "experiments/data_form.html", status_code=exc.status_code, view=view, doc=view.doc,
                    iteration=current, form=form, error=exc)
    flash(request, N_("Données enregistrées."))
    return to_detail(slug)


ROUTES = [
    home,
    experiment_list,
    new_experiment_page,
    create_experiment,
    experiment_detail,
    edit_header_page,
    edit_header,
    plan_page,
    edit_plan,
    change_status,
    decision_page,
    decide,
    new_iteration_page,
    create_iteration,
    edit_iteration_page,
    edit_iteration,
    data_page,
    edit_data,
]
