"""JSON twins of the administration pages (admins only), under /api/v1/admin."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Request, get
from litestar.params import QueryParameter

from tal import db
from tal.admin import services
from tal.admin.manage_web import _admin


class AccountOut(msgspec.Struct):
    username: str
    display_name: str
    role: str
    service: str | None
    active: bool
    created_at: dt.datetime
    url: str


class ServiceOut(msgspec.Struct):
    name: str
    archived: bool
    accounts: int
    experiments: int


class ObjectiveOut(msgspec.Struct):
    title: str
    archived: bool


@get("/api/v1/admin/comptes", summary="Les comptes (administrateurs)", tags=["Administration"])
async def accounts(
    request: Request,
    q: Annotated[str, QueryParameter(max_length=60)] = "",
    service: Annotated[str, QueryParameter(max_length=120)] = "",
    role: Annotated[str, QueryParameter(max_length=20)] = "",
    etat: Annotated[str, QueryParameter(max_length=10, description="active | inactive")] = "",
) -> list[AccountOut]:
    _admin(request)
    async with db.transaction(write=False):
        rows = await services.search_accounts(services.AccountFilters(q, service, role, etat))
    return [AccountOut(r["username"], r["display_name"], r["role"], r["service.name"], r["active"], r["created_at"],
                       f"/admin/comptes/{r['username']}") for r in rows]


@get("/api/v1/admin/services", summary="Les services (administrateurs)", tags=["Administration"])
async def service_list(request: Request) -> list[ServiceOut]:
    _admin(request)
    async with db.transaction(write=False):
        rows = await services.list_services()
    return [ServiceOut(s.name, s.archived, s.accounts, s.experiments) for s in rows]


@get("/api/v1/admin/objectifs", summary="Les objectifs stratégiques (administrateurs)", tags=["Administration"])
async def objectives(request: Request) -> list[ObjectiveOut]:
    _admin(request)
    async with db.transaction(write=False):
        rows = await services.list_objectives()
    return [ObjectiveOut(r["title"], r["archived"]) for r in rows]


ROUTES = [accounts, service_list, objectives]
