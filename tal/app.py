"""create_app(): the Litestar application factory."""

from __future__ import annotations

import gc
import hashlib
from pathlib import Path

import anyio

from litestar import Litestar, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from piccolo.engine.postgres import PostgresEngine

from tal import db
from tal.accounts import tokens_web
from tal.accounts import web as accounts_web
from tal.barometer import api as barometer_api
from tal.barometer import web as barometer_web
from tal.accounts.tokens import BearerActor
from tal.accounts.sessions import CurrentActor
from tal.core.http import (
    BODY_LIMIT_CEILING,
    EXCEPTION_HANDLERS,
    BodyLimits,
    ClientAddress,
    ConditionalGet,
    SecurityHeaders,
    TalRequest,
    security_headers,
)
from tal.admin import web as admin_web
from tal.admin import manage_web as admin_manage_web
from tal.admin import api as admin_api
from tal.accounts import oidc_web
from tal.audit.retention import AuditRetention
from tal.core.openapi import openapi_config
from tal.core.rendercache import CachedPages
from tal.core.templating import register_globals, template_engine
from tal.evaluation import present as _evaluation  # noqa: F401  (gives the register its evaluation)
from tal.experiments import api as experiments_api
from tal.experiments import api_write as experiments_api_write
from tal.experiments import web as experiments_web
from tal.experiments.labels import template_globals
from tal.imports import api as imports_api
from tal.imports import web as imports_web
from tal.opendata import web as opendata_web
from tal.journal import api as journal_api
from tal.journal import api_write as journal_api_write
from tal.journal import feeds_web
from tal.journal import web as journal_web
from tal.replications import api as replications_api
from tal.replications import web as replications_web
from tal.committee import api as committee_api
from tal.committee import web as committee_web
from tal.review import api as review_api
from tal.review import web as review_web
from tal.home import web as home_web
from tal.settings import get_settings

STATIC = Path(__file__).parent / "static"


@get("/theme.css", include_in_schema=False, cache=300)
async def theme() -> Response[str]:
    """The collectivité's colours, as CSS variables (no inline style: strict CSP)."""
    s = get_settings()
    css = f":root {{ --org: {s.org_color}; --accent: {s.org_accent}; }}\n"
    return Response(css, media_type="text/css")


@get("/sante", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


def _warm_statistics() -> None:
    """Import the statistical libraries the pages use lazily (several seconds for
    statsmodels) when the server starts, not in its first reader's request."""
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401
    import statsmodels.stats.proportion  # noqa: F401


def _warm_templates(environment) -> None:
    """Compile every template when the server starts (a page's first reader would
    otherwise wait for the compilation of its templates: about 200 ms for an experiment)."""
    for name in environment.list_templates(extensions=["html"]):
        environment.get_template(name)


def create_app(*, migrate: bool = True, pool: bool = False) -> Litestar:
    """The application. `migrate`: run migrations forward at start-up; `pool`:
    open a PostgreSQL connection pool (serving; not in tests, see DESIGN.md)."""
    settings = get_settings()
    register_globals(**template_globals())
    audit_retention = AuditRetention(settings.audit_days)
    templates = template_engine()
    secret = hashlib.sha256(settings.secret_key.encode()).digest()
    session = CookieBackendConfig(
        secret=secret,
        key="tal_session",
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="tal_csrf",
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
    )

    async def startup() -> None:
        engine = db.current_engine()
        if migrate:
            await db.migrate()
        if pool and isinstance(engine, PostgresEngine):
            await engine.start_connection_pool()
        if pool:  # serving (tests build many applications and need none of it)
            await anyio.to_thread.run_sync(_warm_statistics)
            await anyio.to_thread.run_sync(_warm_templates, templates.engine)
            # What start-up built (modules, the statistical libraries) lives as long as the
            # process: out of the collector's reach, a full collection no longer walks it in
            # the middle of a reader's request (tens of ms at the 99th percentile).
            gc.freeze()
        await audit_retention.start()

    async def shutdown() -> None:
        await audit_retention.stop()
        engine = db.current_engine()
        if pool and isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()

    return Litestar(
        route_handlers=[
            theme,
            health,
            *accounts_web.ROUTES,
            *experiments_web.ROUTES,
            *imports_web.routes(settings.import_max_mb),
            *opendata_web.ROUTES,
            *tokens_web.ROUTES,
            *experiments_api_write.ROUTES,
            *imports_api.ROUTES,
            *journal_api_write.ROUTES,
            *experiments_api.ROUTES,
            *journal_web.ROUTES,
            *journal_api.ROUTES,
            *feeds_web.ROUTES,
            *replications_web.ROUTES,
            *replications_api.ROUTES,
            *barometer_web.ROUTES,
            *barometer_api.ROUTES,
            *admin_web.ROUTES,
            *committee_web.ROUTES,
            *committee_api.ROUTES,
            *review_web.ROUTES,
            *review_api.ROUTES,
            *home_web.ROUTES,
            *admin_manage_web.ROUTES,
            *admin_api.ROUTES,
            *oidc_web.ROUTES,
            create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False,
                                       cache_control=CacheControlHeader(max_age=365 * 86400, public=True)),
        ],
        middleware=[ClientAddress(), SecurityHeaders(), BodyLimits(), session.middleware, CurrentActor(), BearerActor(),
                    ConditionalGet(), CachedPages()],
        before_send=[security_headers(settings.secure_cookies)],
        request_class=TalRequest,
        request_max_body_size=BODY_LIMIT_CEILING,
        csrf_config=csrf,
        template_config=TemplateConfig(instance=templates),
        openapi_config=openapi_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[startup],
        on_shutdown=[shutdown],
        debug=False,
    )


def serve_app() -> Litestar:
    """For `uvicorn --factory tal.app:serve_app --workers N` (several processes)."""
    return create_app(pool=True)
