"""`/donnees`: the page that explains the open data files, and the files themselves.

The files are rebuilt when the data change: each request compares a fingerprint of
what they show with the one they were built from (the last build is cached per
process; any process rebuilds the same files from the database)."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from tal import db
from tal.core.errors import NotFound
from tal.i18n import N_
from tal.core.templating import render
from tal.opendata import build

_cache: dict[str, dict[str, bytes]] = {}
MEDIA = {".csv": "text/csv; charset=utf-8", ".json": "application/json"}


async def current_files() -> tuple[str, dict[str, bytes]]:
    async with db.transaction(write=False):
        key = await build.fingerprint()
        if key not in _cache:
            files = await build.build()
            _cache.clear()
            _cache[key] = files
    return key, _cache[key]


@get("/donnees", name="opendata")
async def opendata_page(request: Request) -> Template:
    _, files = await current_files()
    tables = [(name, title, description, files[f"{name}.csv"].count(b"\r\n") - 1)
              for name, title, description in build.described()]
    return render(request, "opendata/index.html", tables=tables, license=build.LICENSE)


@get("/donnees/{name:str}", name="opendata_file")
async def opendata_file(request: Request, name: FromPath[str]) -> Response:
    key, files = await current_files()
    if name not in files:
        raise NotFound(N_("aucun fichier «\u202f%(name)s\u202f» dans les données ouvertes"), None, {"name": name[:80]})
    etag = f'"{key}"'
    headers = {"etag": etag, "cache-control": "public, max-age=300", "access-control-allow-origin": "*"}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    media = MEDIA["." + name.rsplit(".", 1)[-1]]
    return Response(files[name], media_type=media, headers=headers)


ROUTES = [opendata_page, opendata_file]
