"""The write API's CSV import: the body is a unit-level CSV file, read as it streams
and recorded through the import service (bearer tokens only, like the rest of the
write API of `tal.experiments.api_write`)."""

from __future__ import annotations

import tempfile

from litestar import Request, post
from litestar.params import FromPath, FromQuery

from tal import db
from tal.accounts.tokens import bearer_actor
from tal.experiments.api_write import OPTS, WrittenOut, _check_version, _written
from tal.imports import services as imports
from tal.i18n import N_


@post("/api/v1/experiments/{slug:str}/iterations/{number:int}/import", status_code=200,
      summary=N_("Importer un fichier CSV de données par unité (corps text/csv)"), request_max_body_size=None,
      # Streamed by the handler, which refuses more than TAL_IMPORT_MAX_MB as it reads.
      opt={"streamed": True, "max_body": 2**62}, **OPTS)
async def import_csv(request: Request, slug: FromPath[str], number: FromPath[int], version: FromQuery[int],
                     filename: FromQuery[str] = "api.csv", intervention_at: FromQuery[str] = "") -> WrittenOut:
    """The body is the CSV file itself (`Content-Type: text/csv`), read as it streams,
    within TAL_IMPORT_MAX_MB; `version` is the experiment's version it is based on."""
    actor = bearer_actor(request)
    limit = imports.max_bytes()
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as stream:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                imports.check_size(size)
            stream.write(chunk)
        stream.seek(0)
        preview = await imports.prepare(slug, number, stream, actor, filename=filename[:200],
                                        intervention_at=intervention_at[:40])
    _check_version(preview.version, version)
    async with db.transaction():
        result = await imports.record(preview, actor)
    return await _written(slug, actor, number, result.changed)


ROUTES = [import_csv]
