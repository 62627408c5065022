"""The dashboard's routes: read-only pages, their HTMX partials, live block events, proofs.

:func:`mount` is the one entry point: the API's ``create_app`` calls it with the app and
the node. Pages are rendered on the server (Jinja2); HTMX re-renders a panel when a
filter changes or when a block commits (server-sent events from ``node.subscribe()`` at
``/events/blocks``, so the pages need no API token). Every script and style is served
from ``/static/`` out of the package: the dashboard works with no network at all.

Routes: ``/`` ``/monitor`` ``/monitor/panel`` ``/lots/{id}`` ``/explorer``
``/explorer/latest`` ``/blocks/{h}`` ``/tx/{id}`` ``/organisations`` ``/search``
``/proof/{tx_id}.json`` ``/events/blocks`` ``/static/...``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sse_starlette.sse import EventSourceResponse

from steeltrace.analytics.chain_index import ChainIndex
from steeltrace.dashboard import formatting, views

if TYPE_CHECKING:
    from steeltrace.node.service import Node

__all__ = ["mount"]

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
TEMPLATE_DIR = _HERE / "templates"
SSE_POLL_SECONDS = 0.25
SSE_PING_SECONDS = 15


def _tojson_script(value: Any) -> Markup:
    """JSON safe to embed in ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    formatting.install(env)
    env.filters["json_script"] = _tojson_script
    env.filters["pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False, default=str)
    return env


class _Pages:
    def __init__(self, node: Any) -> None:
        self.node = node
        self.env = _environment()
        self.index = ChainIndex()
        self.declarations = views.DeclarationCache()

    def render(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        template = self.env.get_template(name)
        context.setdefault("chain_id", self.node.chain_id)
        context.setdefault("head_height", self.node.height())
        html = template.render(**context)
        return HTMLResponse(html, status_code=status_code)

    def not_found(self, what: str) -> HTMLResponse:
        return self.render("not_found.html", status_code=404, what=what, page="")


def _router(pages: _Pages) -> APIRouter:
    node = pages.node
    r = APIRouter(include_in_schema=False)

    @r.get("/", response_class=HTMLResponse)
    def home() -> HTMLResponse:
        return pages.render("index.html", page="home", **views.overview(node))

    @r.get("/monitor", response_class=HTMLResponse)
    def monitor(request: Request) -> HTMLResponse:
        ctx = views.monitor(node, dict(request.query_params), pages.declarations)
        return pages.render("monitor.html", page="monitor", **ctx)

    @r.get("/monitor/panel", response_class=HTMLResponse)
    def monitor_panel(request: Request) -> HTMLResponse:
        params = dict(request.query_params)
        ctx = views.monitor(node, params, pages.declarations)
        response = pages.render("_monitor_panel.html", **ctx)
        if request.headers.get("HX-Request"):
            # keep the address bar on /monitor with the filters, so a view can be shared
            query = urlencode({k: v for k, v in params.items() if v})
            response.headers["HX-Replace-Url"] = "/monitor" + (f"?{query}" if query else "")
        return response

    @r.get("/lots/{lot_id}", response_class=HTMLResponse)
    def lot(lot_id: str) -> HTMLResponse:
        ctx = views.lot_page(node, pages.index, lot_id)
        if ctx is None:
            return pages.not_found(f"lot {lot_id}")
        return pages.render("lot.html", page="lots", **ctx)

    @r.get("/explorer", response_class=HTMLResponse)
    def explorer() -> HTMLResponse:
        return pages.render("explorer.html", page="explorer", **views.explorer(node))

    @r.get("/explorer/latest", response_class=HTMLResponse)
    def explorer_latest() -> HTMLResponse:
        return pages.render("_explorer_latest.html", **views.explorer(node))

    @r.get("/blocks/{height}", response_class=HTMLResponse)
    def block(height: int) -> HTMLResponse:
        ctx = views.block_page(node, height)
        if ctx is None:
            return pages.not_found(f"block {height}")
        return pages.render("block.html", page="explorer", **ctx)

    @r.get("/tx/{tx_id}", response_class=HTMLResponse)
    def tx(tx_id: str) -> HTMLResponse:
        ctx = views.tx_page(node, tx_id)
        if ctx is None:
            return pages.not_found(f"transaction {tx_id}")
        return pages.render("tx.html", page="explorer", **ctx)

    @r.get("/organisations", response_class=HTMLResponse)
    def organisations() -> HTMLResponse:
        return pages.render("organisations.html", page="organisations", **views.organisations(node))

    @r.get("/search")
    def search(q: str = "") -> Response:
        q = q.strip()
        if q.isdigit():
            return RedirectResponse(f"/blocks/{int(q)}", status_code=303)
        if len(q) == 64 and node.tx(q.lower()) is not None:
            return RedirectResponse(f"/tx/{q.lower()}", status_code=303)
        if q and node.get(f"lot/{q}") is not None:
            return RedirectResponse(f"/lots/{q}", status_code=303)
        return pages.not_found(f"anything called {q!r}")

    @r.get("/proof/{tx_id}.json")
    def proof(tx_id: str) -> JSONResponse:
        bundle = views.proof_bundle(node, tx_id)
        if bundle is None:
            raise HTTPException(404, f"transaction {tx_id} is not committed")
        return JSONResponse(bundle, headers={"Cache-Control": "no-store"})

    @r.get("/events/blocks")
    async def block_events(request: Request) -> EventSourceResponse:
        sub = node.subscribe()
        template = pages.env.get_template("_block_event.html")

        async def stream() -> Any:
            try:
                while not await request.is_disconnected():
                    # A non-blocking take and a sleep: an open page must not hold one of
                    # the worker threads that render the pages.
                    event = sub.get(0)
                    if event is None:
                        await anyio.sleep(SSE_POLL_SECONDS)
                        continue
                    yield {
                        "event": "block",
                        "id": str(event.get("height")),
                        "data": template.render(event=event).replace("\n", ""),
                    }
            finally:
                sub.close()

        return EventSourceResponse(stream(), ping=SSE_PING_SECONDS)

    return r


def mount(app: FastAPI, node: Node) -> None:
    """Add the dashboard's pages, partials, events and static files to ``app``."""
    pages = _Pages(node)
    app.include_router(_router(pages))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="dashboard-static")
