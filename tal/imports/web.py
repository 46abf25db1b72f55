"""The import pages: upload a CSV file on an iteration, see what will be recorded,
confirm. Nothing is written before the confirmation; the upload streams to a
temporary file (Litestar's multipart parser) within TAL_IMPORT_MAX_MB."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect

from tal import db
from tal.core.errors import DomainError
from tal.core.http import signed_in
from tal.core.templating import render
from tal.experiments import forms
from tal.experiments import services as experiments
from tal.experiments.web import editable, find_iteration
from tal.imports import services
from tal.i18n import N_
from tal.imports.csvfile import ImportFailure

# Room for the other fields and the multipart envelope around the file.
ENVELOPE_BYTES = 64 * 1024


def _page(request: Request, view, number: int, *, form=None, error=None, preview=None, token="", status=200):
    return render(request, "imports/upload.html", status_code=status, view=view, doc=view.doc,
                  iteration=find_iteration(view, number), form=form, error=error, preview=preview, token=token,
                  max_mb=services.get_settings().import_max_mb)


async def upload_page(request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
    view = await editable(slug, signed_in(request))
    return _page(request, view, number)


async def upload(request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
    actor = signed_in(request)
    view = await editable(slug, actor)
    form = await request.form()
    sent = form.get("file")
    try:
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise ImportFailure(N_("choisissez un fichier CSV"))
        stream = sent.file
        stream.seek(0, 2)
        services.check_size(stream.tell())
        stream.seek(0)
        preview = await services.prepare(
            slug, number, stream, actor, filename=sent.filename,
            intervention_at=forms.get(form, "intervention_at"),
            treated_units=(forms.lines(forms.get(form, "treated_units"), "treated_units") or []),
        )
    except DomainError as exc:
        return _page(request, view, number, form=form, error=exc, status=exc.status_code)
    finally:
        if isinstance(sent, UploadFile):
            await sent.close()
    return _page(request, view, number, form=form, preview=preview, token=services.sign(preview))


@post("/experimentations/{slug:str}/iterations/{number:int}/import/confirmer", name="import_confirm")
async def confirm(request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
    actor = signed_in(request)
    view = await editable(slug, actor)
    form = await request.form()
    try:
        preview = services.unsign(forms.get(form, "preview"), slug, number)
        async with db.transaction():
            await services.record(preview, actor)
    except DomainError as exc:
        async with db.transaction(write=False):
            view = await experiments.get(slug, actor)
        return _page(request, view, number, error=exc, status=exc.status_code)
    return Redirect(f"/experimentations/{slug}", status_code=303)


def routes(max_mb: int) -> list:
    """The handlers, the upload accepting bodies up to the configured size."""
    path = "/experimentations/{slug:str}/iterations/{number:int}/import"
    return [
        get(path, name="import_upload")(upload_page),
        post(path, request_max_body_size=max_mb * services.MB + ENVELOPE_BYTES,
             opt={"streamed": True, "max_body": max_mb * services.MB + ENVELOPE_BYTES})(upload),
        confirm,
    ]
