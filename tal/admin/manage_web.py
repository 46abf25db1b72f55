"""Administration pages (admins only): accounts, services, strategic objectives, and
the public page where a one-time reset link sets a new password. Every change goes
through `tal.admin.services` and is in the audit log."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tal import db
from tal.accounts.tables import ROLES
from tal.admin import services
from tal.audit.requests import address_of
from tal.core.errors import DomainError, Forbidden, NotFound
from tal.core.http import signed_in
from tal.core.templating import render
from tal.i18n import N_

FIELD = 1000  # beyond every limit the checks name (200 for an objective), so that they can refuse


def _admin(request: Request):
    actor = signed_in(request)
    if not actor.is_admin:
        raise Forbidden(N_("Seuls les administrateurs gèrent les comptes, les services et les objectifs."))
    return actor


def _get(form, name: str) -> str:
    return str(form.get(name, "") or "")[:FIELD]


# ---------------------------------------------------------------- accounts


async def _accounts_page(request: Request, filters: services.AccountFilters, *, error: DomainError | None = None,
                         form=None, created: dict | None = None, status: int = 200) -> Template:
    async with db.transaction(write=False):
        rows = await services.search_accounts(filters)
        names = [s.name for s in await services.list_services() if not s.archived]
    return render(request, "admin/accounts.html", status_code=status, accounts=rows, filters=filters, roles=ROLES,
                  services=names, error=error, form=form, created=created, role_options=[(r, r) for r in ROLES],
                  service_options=[(n, n) for n in names])


@get("/admin/comptes", name="admin_accounts")
async def accounts_page(request: Request, q: FromQuery[str] = "", service: FromQuery[str] = "",
                        role: FromQuery[str] = "", etat: FromQuery[str] = "") -> Template:
    _admin(request)
    return await _accounts_page(request, services.AccountFilters(q[:60], service[:120], role[:20], etat[:10]))


def _reset_url(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/reinitialisation/{token}"


@post("/admin/comptes")
async def create_account(request: Request) -> Response:
    """A new account with a random password nobody knows, and its one-time link."""
    actor = _admin(request)
    form = await request.form()
    username = _get(form, "username").strip().lower()
    try:
        async with db.transaction():
            await services.create_account(username, secrets.token_urlsafe(24), role=_get(form, "role"),
                                          service=_get(form, "service") or None, display_name=_get(form, "name"),
                                          by=actor.id, address=address_of(request))
            token = await services.reset_link(username, by=actor.id, address=address_of(request))
    except DomainError as exc:
        return await _accounts_page(request, services.AccountFilters(), error=exc, form=form, status=exc.status_code)
    return await _accounts_page(request, services.AccountFilters(),
                                created={"username": username, "url": _reset_url(request, token)})


async def _account_page(request: Request, username: str, *, error: DomainError | None = None,
                        link: str = "", status: int = 200) -> Template:
    async with db.transaction(write=False):
        rows = [r for r in await services.search_accounts(services.AccountFilters(q=username)) if r["username"] == username]
        names = [s.name for s in await services.list_services() if not s.archived]
    if not rows:
        raise _not_found()
    return render(request, "admin/account.html", status_code=status, account=rows[0], roles=ROLES, services=names,
                  error=error, link=link, role_options=[(r, r) for r in ROLES],
                  service_options=[("", "—")] + [(n, n) for n in names])


def _not_found() -> NotFound:
    return NotFound(N_("aucun compte de ce nom"), "username")


@get("/admin/comptes/{username:str}", name="admin_account")
async def account_page(request: Request, username: FromPath[str]) -> Template:
    _admin(request)
    return await _account_page(request, username[:60])


ACCOUNT_ACTIONS = {
    "role": lambda u, form, by, at: services.set_role(u, _get(form, "role"), by=by, address=at),
    "service": lambda u, form, by, at: services.set_service(u, _get(form, "service"), by=by, address=at),
    "desactiver": lambda u, form, by, at: services.deactivate(u, by=by, address=at),
    "reactiver": lambda u, form, by, at: services.reactivate(u, by=by, address=at),
    "mot-de-passe": lambda u, form, by, at: services.set_password_sign_in(u, _get(form, "allowed") == "1", by=by,
                                                                          address=at),
}


@post("/admin/comptes/{username:str}/{action:str}")
async def change_account(request: Request, username: FromPath[str], action: FromPath[str]) -> Response:
    actor = _admin(request)
    form = await request.form()
    username = username[:60]
    try:
        async with db.transaction():
            if action == "lien":
                token = await services.reset_link(username, by=actor.id, address=address_of(request))
            elif action in ACCOUNT_ACTIONS:
                await ACCOUNT_ACTIONS[action](username, form, actor.id, address_of(request))
            else:
                raise _not_found()
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return await _account_page(request, username, error=exc, status=exc.status_code)
    if action == "lien":
        # Shown once, in this answer only: never stored in clear, never in a redirect.
        return await _account_page(request, username, link=_reset_url(request, token))
    return Redirect(f"/admin/comptes/{quote(username)}", status_code=303)


# ---------------------------------------------------------------- password reset (public)


@get("/reinitialisation/{token:str}", name="password_reset")
async def reset_page(request: Request, token: FromPath[str]) -> Template:
    try:
        async with db.transaction(write=False):
            username = await services.check_reset(token)
    except DomainError as exc:
        return render(request, "admin/reset.html", status_code=exc.status_code, username=None, error=exc, done=False)
    return render(request, "admin/reset.html", username=username, error=None, done=False)


@post("/reinitialisation/{token:str}")
async def reset_password(request: Request, token: FromPath[str]) -> Template:
    form = await request.form()
    password = str(form.get("password", ""))[:FIELD]
    try:
        if password != str(form.get("confirm", ""))[:FIELD]:
            raise DomainError(N_("les deux mots de passe diffèrent"), "confirm")
        async with db.transaction():
            username = await services.use_reset(token, password, address=address_of(request))
    except DomainError as exc:
        async with db.transaction(write=False):
            try:
                username = await services.check_reset(token)
            except DomainError:
                username = None
        return render(request, "admin/reset.html", status_code=exc.status_code, username=username, error=exc,
                      done=False)
    return render(request, "admin/reset.html", username=username, error=None, done=True)


# ---------------------------------------------------------------- services and objectives


async def _list_page(request: Request, kind: str, *, error: DomainError | None = None, form=None,
                     status: int = 200) -> Template:
    """The services or objectives page (`kind`), with the error of a refused change."""
    async with db.transaction(write=False):
        rows = await (services.list_services() if kind == "services" else services.list_objectives())
    return render(request, f"admin/{kind}.html", status_code=status, error=error, form=form, **{kind: rows})


async def _change(request: Request, kind: str, url: str, actions: dict, action: str) -> Response:
    """Run one change of the services or objectives page; on a refusal, the page with its message."""
    actor = _admin(request)
    form = await request.form()
    if action not in actions:
        raise _not_found()
    try:
        async with db.transaction():
            await actions[action](form, actor.id, address_of(request))
    except DomainError as exc:
        return await _list_page(request, kind, error=exc, form=form, status=exc.status_code)
    return Redirect(url, status_code=303)


@get("/admin/services", name="admin_services")
async def services_page(request: Request) -> Template:
    _admin(request)
    return await _list_page(request, "services")


SERVICE_ACTIONS = {
    "creer": lambda form, by, at: services.create_service(_get(form, "name"), by=by, address=at),
    "renommer": lambda form, by, at: services.rename_service(_get(form, "name"), _get(form, "new_name"), by=by,
                                                             address=at),
    "fusionner": lambda form, by, at: services.merge_services(_get(form, "source"), _get(form, "target"), by=by,
                                                              address=at),
    "archiver": lambda form, by, at: services.set_service_archived(_get(form, "name"), True, by=by, address=at),
    "restaurer": lambda form, by, at: services.set_service_archived(_get(form, "name"), False, by=by, address=at),
}


@post("/admin/services/{action:str}")
async def change_services(request: Request, action: FromPath[str]) -> Response:
    return await _change(request, "services", "/admin/services", SERVICE_ACTIONS, action)


@get("/admin/objectifs", name="admin_objectives")
async def objectives_page(request: Request) -> Template:
    _admin(request)
    return await _list_page(request, "objectives")


OBJECTIVE_ACTIONS = {
    "creer": lambda form, by, at: services.create_objective(_get(form, "title"), by=by, address=at),
    "modifier": lambda form, by, at: services.rename_objective(_get(form, "title"), _get(form, "new_title"), by=by,
                                                               address=at),
    "archiver": lambda form, by, at: services.set_objective_archived(_get(form, "title"), True, by=by, address=at),
    "restaurer": lambda form, by, at: services.set_objective_archived(_get(form, "title"), False, by=by, address=at),
}


@post("/admin/objectifs/{action:str}")
async def change_objectives(request: Request, action: FromPath[str]) -> Response:
    return await _change(request, "objectives", "/admin/objectifs", OBJECTIVE_ACTIONS, action)


ROUTES = [accounts_page, create_account, account_page, change_account, reset_page, reset_password, services_page,
          change_services, objectives_page, change_objectives]
