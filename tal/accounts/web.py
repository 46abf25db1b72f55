"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from tal import i18n
from tal.accounts import sessions, signin
from tal.core.errors import DomainError
from tal.core.http import actor_of, client_address, safe_next
from tal.core.templating import render
from tal.settings import get_settings

# A sign-in form is a user name, a password, a target and the CSRF token.
SMALL_FORM = {"max_body": 4096, "max_fields": 10}
# The language switch carries the page to go back to, query included.
LANGUAGE_FORM = {"max_body": 16384, "max_fields": 10}


def _login(request: Request, *, status_code: int = 200, next: str = "/", username: str = "", error=None) -> Template:
    return render(request, "accounts/login.html", status_code=status_code, next=next, username=username, error=error,
                  oidc_enabled=get_settings().oidc_enabled)


def _target(next_path: str) -> str:
    """Where to go once signed in: a local page, never the sign-in page itself (no loop)."""
    target = safe_next(next_path)
    return "/" if target.split("?")[0].rstrip("/") in ("/connexion", "/deconnexion") else target


@get("/connexion", name="login")
async def login_page(request: Request, next: FromQuery[str] = "/") -> Template:
    return _login(request, next=_target(next))


@post("/connexion", opt=SMALL_FORM)
async def login(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", "")).replace("\x00", "")
    target = _target(str(form.get("next", "/")))
    try:
        actor, generation = await signin.sign_in(
            username, str(form.get("password", "")).replace("\x00", ""), client_address(request))
    except DomainError as exc:
        return _login(request, status_code=exc.status_code, next=target, username=username, error=exc)
    # A new session on sign-in: no session fixation.
    request.clear_session()
    request.set_session(sessions.new_session(actor.id, generation))
    return Redirect(target, status_code=303)


@post("/deconnexion", opt=SMALL_FORM)
async def logout(request: Request) -> Response:
    actor = actor_of(request)
    if actor is not None:
        await signin.sign_out(actor, client_address(request))
    id_token = request.session.get("oidc_id_token") if isinstance(request.session, dict) else None
    request.clear_session()
    if id_token and get_settings().oidc_enabled:
        # Signed in with ProConnect: its session ends too (end-session endpoint).
        from tal.accounts import oidc_web

        target = await oidc_web.end_session(request, id_token)
        if target:
            # A page that moves on by itself (meta refresh): the content security policy
            # keeps a form's redirects on this site.
            return render(request, "accounts/signed_out.html", end_session_url=target)
    return Redirect("/", status_code=303)


@post("/langue", opt=LANGUAGE_FORM)
async def set_language(request: Request) -> Redirect:
    form = await request.form()
    lang = str(form.get("lang", ""))
    response = Redirect(safe_next(str(form.get("next", "/"))), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True,
                            secure=get_settings().secure_cookies)
    return response


ROUTES = [login_page, login, logout, set_language]
