"""The management review's page, the list behind each figure, CSV exports and the JSON twin."""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from tal import db
from tal.accounts.services import service_names
from tal.core.errors import DomainError, NotFound
from tal.core.http import signed_in
from tal.core.templating import language, render
from tal.experiments import labels
from tal.experiments.services import objective_titles
from tal.i18n import N_, format_date, format_number, translations
from tal.review import chart, queries, services

VERDICT_LABELS = {
    "confirmed": N_("Hypothèse confirmée"),
    "contradicted": N_("Hypothèse contredite (réfutée)"),
    "below_useful_effect": N_("Effet inférieur au seuil utile"),
    "inconclusive": N_("Non concluante"),
}
FOLLOW_UP_LABELS = {"open": N_("en cours"), "adopted": N_("adopté"), "not_adopted": N_("non adopté")}
TABLES = ("experiments", "verdicts", "decisions", "follow_ups", "journal", "actions", "learning_cards")


@lru_cache(maxsize=4096)
def day(value: dt.date, lang: str) -> str:
    """A date as pages show it (babel is slow: a page lists up to a hundred dates)."""
    return format_date(value, lang)


def today() -> dt.date:
    return dt.date.today()


# The form's fields as the page labels them (its error summary names them so); the API
# and the CSV files name them by their key.
FIELD_LABELS = {"du": N_("Du"), "au": N_("Au"), "periode": N_("Période"), "service": N_("Services"),
                "objectif": N_("Objectif stratégique")}
# 30 services of 120 characters and an objective of 200, percent-encoded, fit well within.
MAX_QUERY = 16_000


def filters_of(request: Request) -> services.Filters:
    """The filters of the query string, checked (a 400 naming the field, never a fallback)."""
    if len(request.scope.get("query_string", b"")) > MAX_QUERY:
        raise DomainError(N_("la requête est trop longue\u202f: 16\u202f000 caractères au plus"))
    q = request.query_params
    return services.filters(start=q.get("du", ""), end=q.get("au", ""), period=q.get("periode", ""),
                            services=q.getall("service", []), objective=q.get("objectif", ""), today=today())


async def checked_filters(request: Request) -> services.Filters:
    """`filters_of`, and its services and objective exist (the caller opens the transaction)."""
    f = filters_of(request)
    await services.check(f)
    return f


async def load(request: Request, everything: bool = False) -> services.Review:
    signed_in(request)
    async with db.transaction(write=False):
        f = await checked_filters(request)
        return await services.review(f, today(), everything)


def table_rows(r: services.Review, name: str) -> tuple[list[str], list[list[Any]]]:
    """One table of the review, as CSV columns and rows (ISO dates, figures as numbers)."""
    g = r.figures
    if name == "experiments":
        return ["status", "experiments"], [[k, v] for k, v in g["experiments"].items()]
    if name == "verdicts":
        return ["verdict", "experiments"], [[k, v] for k, v in g["verdicts"].items()]
    if name == "decisions":
        return ["outcome", "experiments"], [[k, v] for k, v in g["decisions"].items()]
    if name == "follow_ups":
        return ["state", "follow_ups"], [[k, v] for k, v in g["follow_ups"].items()]
    if name == "journal":
        return ["service", "entries", "reactions"], [[j["service"], j["entries"], j["reactions"]] for j in g["journal"]]
    if name == "actions":
        return (["service", "entry", "description", "owner", "due_on", "late"],
                [[a["service"], a["entry_title"], a["description"], a["owner_role"], a["due_on"].isoformat(),
                  str(a["late"]).lower()] for a in g["actions"]["items"]])
    if name == "learning_cards":
        return (["experiment", "title", "service", "iteration", "we_learned", "therefore_we_will"],
                [[c["experiment"], c["title"], c["service"], c["iteration"], c["we_learned"], c["therefore_we_will"]]
                 for c in r.digest])
    raise NotFound(N_("aucun tableau de ce nom"))


def _cell(value: Any) -> Any:
    """No text that a spreadsheet would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(columns: list[str], rows: list[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


def charts(request: Request, r: services.Review) -> dict[str, Any]:
    _ = translations(language(request)).gettext
    g = r.figures
    status_rows = [(_(labels.STATUS[k]), g["experiments"][k]) for k in queries.STATUSES]
    verdict_rows = [(_(VERDICT_LABELS[k]), g["verdicts"][k]) for k in queries.VERDICTS]

    def describe(rows):
        return "\u202f; ".join(f"{label}\u202f: {n}" for label, n in rows)

    return {
        "status_chart": chart.bars(_("Expérimentations pré-enregistrées pendant la période, par statut actuel"),
                                   describe(status_rows), status_rows, "c-status"),
        "verdict_chart": chart.bars(_("Ce que les expérimentations conclues ont appris"), describe(verdict_rows),
                                    verdict_rows, "c-verdicts"),
    }


@get("/revue", name="review")
async def review_page(request: Request) -> Template:
    signed_in(request)
    r, error = None, None
    async with db.transaction(write=False):  # one transaction: each costs round trips to the database
        try:
            r = await services.review(await checked_filters(request), today())
        except DomainError as exc:  # raised before any statement fails: the transaction stays usable
            if exc.status_code != 400:
                raise
            error = exc
        names, objectives = await service_names(), await objective_titles()
    lang = language(request)
    _ = translations(lang).gettext
    context: dict[str, Any] = {"r": r, "error": error, "all_services": names, "objectives": objectives,
                               "field_label": lambda key: _(FIELD_LABELS.get(key, key)),
                               "presets": services.PRESETS, "verdict_labels": VERDICT_LABELS,
                               "follow_up_labels": FOLLOW_UP_LABELS, "statuses": queries.STATUSES,
                               "verdicts": queries.VERDICTS, "outcomes": queries.OUTCOMES, "tables": TABLES,
                               "query": "", "days": lambda v: "—" if v is None else format_number(v, lang, 1),
                               "day": lambda v: day(v, lang)}
    if r is not None:
        context["qs"] = urlencode(r.filters.query())
        context.update(charts(request, r))
    status = error.status_code if error else 200
    return render(request, "review/page.html", status_code=status, form=request.query_params, **context)


async def list_rows(request: Request, name: str) -> tuple[services.Filters, list[queries.Row]]:
    """The experiments behind one figure, for these filters."""
    signed_in(request)
    if name not in queries.LISTS:
        raise NotFound(N_("aucune liste de ce nom"))
    async with db.transaction(write=False):
        f = await checked_filters(request)
        return f, await queries.experiment_list(f.scope, name)


@get("/revue/liste/{name:str}", name="review_list")
async def review_list(request: Request, name: FromPath[str]) -> Template:
    try:
        f, rows = await list_rows(request, name)
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        # A page: the field by the label of the review's form.
        _ = translations(language(request)).gettext
        return render(request, "error.html", status_code=400, status=400, message=exc.translated(_),
                      field=_(FIELD_LABELS[exc.field]) if exc.field in FIELD_LABELS else exc.field)
    return render(request, "review/list.html", rows=rows, list_name=name, f=f, qs=urlencode(f.query()),
                  verdict_labels=VERDICT_LABELS, group=queries.VERDICT_GROUPS)


@get("/revue/csv/liste/{name:str}", name="review_list_csv")
async def review_list_csv(request: Request, name: FromPath[str]) -> Response:
    _, rows = await list_rows(request, name)
    columns = ["slug", "title", "service", "status", "registered_at", "first_verdict_on", "verdict", "decided_on",
               "decision_outcome", "amendments_major", "amendments_minor"]
    return csv_response(columns, [[r.slug, r.title, r.service, r.status,
                                   r.registered_at.isoformat() if r.registered_at else "",
                                   r.first_verdict_on.isoformat() if r.first_verdict_on else "", r.verdict,
                                   r.decided_on.isoformat() if r.decided_on else "", r.decision_outcome,
                                   r.extra["major"], r.extra["minor"]] for r in rows], f"revue-{name}.csv")


@get("/revue/csv/{name:str}", name="review_export")
async def review_export(request: Request, name: FromPath[str]) -> Response:
    if name not in TABLES:  # before computing the whole review for nothing
        raise NotFound(N_("aucun tableau de ce nom"))
    r = await load(request, everything=True)
    columns, rows = table_rows(r, name)
    return csv_response(columns, rows, f"revue-{name}.csv")


ROUTES = [review_page, review_list, review_list_csv, review_export]
