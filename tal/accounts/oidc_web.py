"""ProConnect routes: start the sign-in, receive the provider's answer."""

from __future__ import annotations

import httpx
from litestar import Request, Response, get
from litestar.params import FromQuery
from litestar.response import Redirect

from tal import db
from tal.accounts import oidc, sessions
from tal.accounts.sessions import PENDING_SIGN_IN
from tal.core.errors import DomainError, NotFound
from tal.core.http import client_address, safe_next
from tal.core.templating import render
from tal.i18n import N_
from tal.settings import get_settings

CALLBACK = "/connexion/proconnect/retour"


def _settings():
    settings = get_settings()
    if not settings.oidc_enabled:
        raise NotFound(N_("La connexion par ProConnect n'est pas configurée."))
    return settings


def _callback_url(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}{CALLBACK}"


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=oidc.TIMEOUT, follow_redirects=False)


@get("/connexion/proconnect", name="proconnect")
async def start(request: Request, next: FromQuery[str] = "/") -> Response:
    settings = _settings()
    async with _client() as client:
        meta = await oidc.metadata(settings, client)
    pending = {**oidc.new_request(), "next": safe_next(next)}
    request.session[PENDING_SIGN_IN] = pending
    return Redirect(oidc.authorization_url(meta, settings, pending, _callback_url(request)), status_code=303)


@get(CALLBACK, name="proconnect_callback")
async def callback(request: Request, code: FromQuery[str] = "", error: FromQuery[str] = "") -> Response:
    settings = _settings()
    state = str(request.query_params.get("state", ""))  # `state` is a reserved parameter name in Litestar
    address = client_address(request)
    session = request.session if isinstance(request.session, dict) else {}
    pending = session.pop(PENDING_SIGN_IN, None)
    try:
        pending = oidc.check_callback(pending, state[:200], error[:200])
        async with _client() as client:
            meta = await oidc.metadata(settings, client)
            claims, id_token = await oidc.exchange(meta, settings, pending, code, _callback_url(request), client)
        for attempt in (1, 2):
            try:
                async with db.transaction():
                    actor, generation = await oidc.account_for(claims, settings, address)
                break
            except db.UNIQUE_VIOLATIONS:
                # Two first sign-ins of one agent at once (or a user name taken meanwhile):
                # the second finds the account the first created.
                if attempt == 2:
                    raise
    except DomainError as exc:
        async with db.transaction():
            from tal.audit.services import record

            await record("account.sign_in_failed", account_id=None, address=address, target="proconnect",
                         detail={"source": "proconnect", "reason": exc.field or ""})
        return render(request, "accounts/login.html", status_code=exc.status_code, next="/", username="", error=exc,
                      oidc_enabled=True)
    if actor is None:
        return render(request, "accounts/login.html", status_code=403, next="/", username="",
                      error=DomainError(oidc.WAITING, "proconnect"), oidc_enabled=True)
    # A new session on sign-in: no session fixation.
    request.clear_session()
    request.set_session({**sessions.new_session(actor.id, generation), "oidc_id_token": id_token})
    return Redirect(safe_next(pending.get("next", "/")), status_code=303)


async def end_session(request: Request, id_token: str) -> str | None:
    """The provider's end-session address, to end its session too (None: it has none)."""
    try:
        async with _client() as client:
            meta = await oidc.metadata(get_settings(), client)
    except DomainError:
        return None
    return oidc.end_session_url(meta, id_token, f"{str(request.base_url).rstrip('/')}/")


ROUTES = [start, callback]
