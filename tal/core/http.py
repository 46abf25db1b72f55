"""HTTP edge: security headers, the current actor, errors as pages or JSON."""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from tal.accounts.actor import Actor
from tal.accounts.services import actor_by_id
from tal.core.errors import DomainError, Forbidden
from tal.core.templating import render

log = logging.getLogger("tal")

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


PRIVATE = [(b"cache-control", b"private, no-cache"), (b"vary", b"Cookie")]


class SecurityHeaders(ASGIMiddleware):
    """Security headers on every response; pages vary with the session: never shared
    by a cache. A NUL character in the path or query is refused (400) before anything."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] == "http" and (b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", "")
                                        or b"%00" in scope.get("raw_path", b"")):
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": "Requête invalide : caractère nul.".encode()})
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                if not static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers += PRIVATE
                message["headers"] = headers
            await send(message)

        await next_app(scope, receive, send_with_headers)


class CurrentActor(ASGIMiddleware):
    """Put the signed-in actor (or None) in scope state, from the session cookie."""

    exclude_path_pattern = ("^/static/",)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session = scope.get("session") or {}
        uid = session.get("uid") if isinstance(session, dict) else None
        scope.setdefault("state", {})["actor"] = await actor_by_id(uid) if isinstance(uid, int) else None
        await next_app(scope, receive, send)


def actor_of(request: Request) -> Actor | None:
    """The signed-in actor of this request, or None for a visitor."""
    return request.scope["state"].get("actor")


def signed_in(request: Request) -> Actor:
    actor = actor_of(request)
    if actor is None:
        raise Forbidden("connectez-vous pour faire cela")
    return actor


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/schema/openapi"))


def error_response(request: Request, status: int, message: str, field: str | None = None):
    if wants_json(request):
        return Response({"error": {"status": status, "message": message, "field": field}}, status_code=status)
    return render(request, "error.html", status_code=status, status=status, message=message, field=field)


def domain_error(request: Request, exc: DomainError):
    return error_response(request, exc.status_code, exc.message, exc.field)


def http_error(request: Request, exc: HTTPException):
    from tal.i18n import translations
    from tal.core.templating import language

    _ = translations(language(request)).gettext
    messages = {
        400: _("La requête est invalide."),
        401: _("Connectez-vous pour accéder à cette page."),
        403: _("Vous n'avez pas le droit de faire cela. Si vous avez envoyé un formulaire, rechargez la page et recommencez."),
        404: _("Cette page n'existe pas."),
        405: _("Cette action n'est pas possible ici."),
        413: _("Le fichier envoyé est trop volumineux."),
        429: _("Trop de requêtes : réessayez dans quelques minutes."),
    }
    status = exc.status_code
    message = messages.get(status, _("La requête n'a pas pu aboutir."))
    extra = getattr(exc, "extra", None)
    field = None
    if status == 400 and isinstance(extra, list) and extra and isinstance(extra[0], dict):
        field = extra[0].get("key")
        message = _("Valeur invalide pour le paramètre « %(field)s ».") % {"field": field}
    return error_response(request, status, message, field)


def server_error(request: Request, exc: Exception):
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    from tal.i18n import translations
    from tal.core.templating import language

    _ = translations(language(request)).gettext
    return error_response(request, 500, _("Une erreur inattendue s'est produite. L'équipe technique en est informée."))


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    NotAuthorizedException: http_error,
    PermissionDeniedException: http_error,
    NotFoundException: http_error,
    HTTPException: http_error,
    Exception: server_error,
}


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (another site, //host) is refused."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
