"""The REST API's composition: ``create_app(node, home=...)``.

The app holds the node (owned by the caller: the app never closes it), the user store
and the idempotency store (owned by the app: closed on shutdown), and the body limit.
OpenAPI is at ``/openapi.json``; ``/docs`` is Swagger UI served from files vendored into
the package (``api/static``, from the npm package swagger-ui-dist, see its licence
files), so no page makes an external request. If the dashboard package is installed,
its pages are mounted into the same app.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from steeltrace.api import chain, problems, records, writes
from steeltrace.api.body import DEFAULT_LIMIT
from steeltrace.api.idempotency import IdempotencyStore
from steeltrace.api.users import UserStore

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/api/static"
SWAGGER_UI_VERSION = "5.35.0"

DESCRIPTION = """\
The steeltrace node's REST API. Every `/v1` route needs `Authorization: Bearer <token>`
(create one with `steeltrace users add ORG NAME --role ROLE`). Errors are RFC 9457
problem details with the ledger's stable `code`. Writes wait for the commit by default
(201), or answer 202 with `?wait=false`; `Idempotency-Key` makes retries safe.
See docs/api.md.
"""


def create_app(
    node: Any,
    *,
    home: Path,
    body_limit: int = DEFAULT_LIMIT,
    mount_dashboard: bool = True,
) -> FastAPI:
    """The API for ``node`` whose home is ``home`` (users and idempotency live there)."""
    home = Path(home)
    users = UserStore.in_home(home)
    idempotency = IdempotencyStore.in_home(home)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            users.close()
            idempotency.close()

    app = FastAPI(
        title="steeltrace",
        version=_version(),
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.node = node
    app.state.home = home
    app.state.users = users
    app.state.idempotency = idempotency
    app.state.body_limit = body_limit

    problems.install(app)
    app.include_router(writes.router)
    app.include_router(records.router)
    app.include_router(chain.router)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="api-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="steeltrace API",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url="data:,",
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )

    @app.get("/health", tags=["node"], summary="Liveness: chain id and height (no token)")
    def health() -> dict[str, Any]:
        return {"status": "ok", "chain_id": node.chain_id, "height": node.height()}

    _document_auth(app)
    if mount_dashboard and importlib.util.find_spec("steeltrace.dashboard.routes") is not None:
        dashboard = importlib.import_module("steeltrace.dashboard.routes")
        dashboard.mount(app, node)
    return app


def _version() -> str:
    try:
        return importlib.metadata.version("steeltrace")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def _document_auth(app: FastAPI) -> None:
    """Declare the bearer scheme in OpenAPI (the check itself is ``auth.principal``)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer", "description": "an API token"}
            }
            for path, operations in schema.get("paths", {}).items():
                if not path.startswith("/v1"):
                    continue
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
