"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from tal import db, i18n
from tal.accounts import services
from tal.core.errors import DomainError
from tal.core.http import safe_next
from tal.core.templating import render


@get("/connexion", name="login")
async def login_page(request: Request, next: FromQuery[str] = "/") -> Template:
    return render(request, "accounts/login.html", next=safe_next(next), username="", error=None)


@post("/connexion")
async def login(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", "")).replace("\x00", "")
    target = safe_next(str(form.get("next", "/")))
    address = request.client.host if request.client else "inconnu"
    try:
        async with db.transaction():
            actor = await services.authenticate(username, str(form.get("password", "")).replace("\x00", ""), address)
        if actor is None:
            raise DomainError("Nom d'utilisateur ou mot de passe incorrect.", "password")
    except DomainError as exc:
        return render(request, "accounts/login.html", status_code=exc.status_code, next=target, username=username, error=exc)
    # A new session on sign-in: no session fixation.
    request.clear_session()
    request.set_session({"uid": actor.id})
    return Redirect(target, status_code=303)


@post("/deconnexion")
async def logout(request: Request) -> Redirect:
    request.clear_session()
    return Redirect("/", status_code=303)


@post("/langue")
async def set_language(request: Request) -> Redirect:
    form = await request.form()
    lang = str(form.get("lang", ""))
    response = Redirect(safe_next(str(form.get("next", "/"))), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


ROUTES = [login_page, login, logout, set_language]
