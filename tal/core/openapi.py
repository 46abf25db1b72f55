"""The OpenAPI document at /schema, with a viewer rendered on the server.

The viewer is plain HTML (no script, no CDN): it works offline and without
JavaScript. The raw document is at /schema/openapi.json.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin

from tal import __version__
from tal.i18n import N_

METHODS = ("get", "post", "put", "patch", "delete")


class OfflineViewer(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        from tal.core.templating import base_context, make_environment

        operations = [
            {"path": path, "method": method.upper(), **operation}
            for path, item in sorted(openapi_schema.get("paths", {}).items())
            for method, operation in item.items()
            if method in METHODS
        ]
        from litestar.utils.scope.state import ScopeState
        from markupsafe import escape

        token = ScopeState.from_scope(request.scope).csrf_token
        token = token if isinstance(token, str) else ""
        template = make_environment().get_template("schema.html")
        html = template.render(
            **base_context(request),
            csrf_input=f'<input type="hidden" name="_csrf_token" value="{escape(token)}" />',
            info=openapi_schema.get("info", {}),
            operations=operations,
            schemas=openapi_schema.get("components", {}).get("schemas", {}),
        )
        return html.encode()


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title=N_("TAL — API du registre des expérimentations"),
        version=__version__,
        description=N_("Chaque page de TAL a son jumeau JSON sous /api/v1. L'écriture passe par un jeton personnel "
                    "(page «\u202fJetons d'API\u202f» du compte)\u202f: en-tête Authorization: Bearer tal_…, sans cookie ni jeton CSRF\u202f; "
                    "chaque écriture porte la version lue (409 si elle est périmée)."),
        path="/schema",
        components=Components(security_schemes={"BearerToken": SecurityScheme(
            type="http", scheme="bearer", description=N_("Jeton personnel créé sur la page «\u202fJetons d'API\u202f» du compte"))}),
        render_plugins=[OfflineViewer(), JsonRenderPlugin()],
    )
