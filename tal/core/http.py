"""HTTP edge: security headers, the current actor, errors as pages or JSON."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import sqlite3
from typing import TYPE_CHECKING

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tal.core.errors import DomainError, Forbidden
from tal.core.templating import render
from tal.i18n import N_
from tal.settings import get_settings

if TYPE_CHECKING:  # tal/core knows no area: the actor is put in scope by tal.accounts.sessions.CurrentActor
    from tal.accounts.actor import Actor

log = logging.getLogger("tal")

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
PRIVATE = [(b"cache-control", b"private, no-cache"), (b"vary", b"Cookie")]


def security_headers(secure: bool):
    """A `before_send` hook: security headers on every response, 404 and 405 included
    (those never reach route middleware); HSTS behind HTTPS. Pages vary with the
    session: never shared by a cache."""
    extra = SECURITY_HEADERS + ([HSTS] if secure else [])

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        present = {k.lower() for k, _ in headers}
        headers += [(k, v) for k, v in extra if k not in present]
        if not scope.get("path", "").startswith("/static/") and b"cache-control" not in present:
            headers += PRIVATE
        message["headers"] = headers

    return add_headers


class SecurityHeaders(ASGIMiddleware):
    """A NUL character in the path or query is refused (400) before anything."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] == "http" and (b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", "")
                                        or b"%00" in scope.get("raw_path", b"")):
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": "Requête invalide : caractère nul.".encode()})
            return
        await next_app(scope, receive, send)


class ClientAddress(ASGIMiddleware):
    """The client's address: the peer's, or the one an X-Forwarded-For header gives
    when the peer is a reverse proxy listed in FORWARDED_ALLOW_IPS (none by default).
    The right-most address that is not one of those proxies is taken."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        trusted = get_settings().forwarded_allow_ips
        peer = (scope.get("client") or ("", 0))[0]
        if trusted and peer in trusted:
            forwarded = b",".join(v for k, v in scope.get("headers", []) if k.lower() == b"x-forwarded-for")
            for item in reversed(forwarded.decode("latin-1").split(",")[-20:]):
                item = item.strip()
                if item in trusted:
                    continue
                if _is_address(item):
                    scope["client"] = (item, 0)
                break
        await next_app(scope, receive, send)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_address(request: Request) -> str:
    return request.client.host if request.client else "inconnu"


DEFAULT_MAX_BODY = 512 * 1024
DEFAULT_MAX_FIELDS = 1000
BODY_LIMIT_CEILING = 2 * 1024 * 1024  # the application-wide limit (Litestar's own check)
TOO_LARGE = N_("Le formulaire envoyé est trop volumineux.")
TOO_MANY_FIELDS = N_("Le formulaire envoyé compte trop de champs.")


class BodyTooLarge(DomainError):
    status_code = 413


class BodyLimits(ASGIMiddleware):
    """Per-route limits on the body size and the number of form fields, checked
    before anything parses the body. A route says `opt={"max_body": bytes,
    "max_fields": n}`; otherwise DEFAULT_MAX_BODY and DEFAULT_MAX_FIELDS. A file upload
    that its handler streams says `"streamed": True`: only its declared size is checked
    here.

    A declared Content-Length over the limit is refused without reading the body;
    otherwise the body is read up to the limit (no further), its fields counted,
    then handed on."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await next_app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        opt = getattr(handler, "opt", None) or {}
        max_body = opt.get("max_body", DEFAULT_MAX_BODY)
        max_fields = opt.get("max_fields", DEFAULT_MAX_FIELDS)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = headers.get(b"content-length", b"").strip()
        if declared and (not declared.isdigit() or len(declared) > 15 or int(declared) > max_body):
            raise BodyTooLarge(TOO_LARGE)
        if opt.get("streamed"):
            # A file upload read as it arrives by its handler, which counts its own limit:
            # buffering it here would hold the whole file in memory.
            await next_app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                raise BodyTooLarge(TOO_LARGE)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if _field_count(headers.get(b"content-type", b""), body) > max_fields:
            raise DomainError(TOO_MANY_FIELDS)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await next_app(scope, replay, send)


def _field_count(content_type: bytes, body: bytes) -> int:
    kind = content_type.split(b";")[0].strip().lower()
    if kind == b"application/x-www-form-urlencoded":
        return body.count(b"&") + 1 if body else 0
    if kind == b"multipart/form-data":
        boundary = content_type.partition(b"boundary=")[2].split(b";")[0].strip(b' "')
        return body.count(b"--" + boundary) if boundary else 0
    return 0


class TalRequest(Request):
    """A form that cannot be decoded (invalid UTF-8, unknown charset), or JSON nested
    deeper than the decoder goes, is a 400."""

    async def form(self):
        try:
            return await super().form()
        except (UnicodeDecodeError, LookupError):
            raise DomainError(N_("Le formulaire envoyé est illisible : son encodage n'est pas de l'UTF-8 valide.")) from None

    async def json(self):
        try:
            return await super().json()
        except RecursionError:
            raise DomainError(N_("Le JSON envoyé est illisible : il est imbriqué trop profondément.")) from None


def actor_of(request: Request) -> Actor | None:
    """The signed-in actor of this request, or None for a visitor."""
    return request.scope["state"].get("actor")


def signed_in(request: Request) -> Actor:
    actor = actor_of(request)
    if actor is None:
        raise Forbidden(N_("connectez-vous pour faire cela"))
    return actor


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/schema/openapi"))


def error_response(request: Request, status: int, message: str, field: str | None = None):
    if wants_json(request):
        return Response({"error": {"status": status, "message": message, "field": field}}, status_code=status)
    return render(request, "error.html", status_code=status, status=status, message=message, field=field)


def domain_error(request: Request, exc: DomainError):
    from tal.core.templating import language
    from tal.i18n import translations

    return error_response(request, exc.status_code, exc.translated(translations(language(request)).gettext), exc.field)


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
        413: _("Le fichier ou le formulaire envoyé est trop volumineux."),
        429: _("Trop de requêtes\u202f: réessayez dans quelques minutes."),
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


def database_busy(request: Request, exc: Exception):
    """SQLite still locked after its 30 s busy timeout: the server is overloaded, say so (503)."""
    if "locked" not in str(exc):
        return server_error(request, exc)
    log.warning("database busy on %s", request.url.path)
    from tal.core.templating import language
    from tal.i18n import translations

    _ = translations(language(request)).gettext
    return error_response(request, 503, _("Le serveur est très chargé : réessayez dans un instant."))


EXCEPTION_HANDLERS = {
    sqlite3.OperationalError: database_busy,
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


class ConditionalGet(ASGIMiddleware):
    """An `ETag` (digest of the body) on successful GET answers of the pages and lists
    that readers reload, and 304 without a body when the browser already has it."""

    PREFIXES = ("/experimentations", "/api/v1/experiments", "/journal", "/api/v1/journal")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or not scope.get("path", "").startswith(self.PREFIXES):
            await next_app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if message["status"] != 200:
                    await send(message)
                return
            if start.get("status") != 200:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            etag = b'W/"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"etag"] + [(b"etag", etag)]
            wanted = dict((k.lower(), v) for k, v in scope.get("headers", [])).get(b"if-none-match", b"")
            if etag in [t.strip() for t in wanted.split(b",")]:
                headers = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
                await send({**start, "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await next_app(scope, receive, buffered)
