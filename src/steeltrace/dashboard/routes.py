"""The dashboard's routes: read-only pages, their HTMX partials, live block events, proofs.

:func:`mount` is the one entry point: the API's ``create_app`` calls it with the app and
the node. Pages are rendered on the server (Jinja2); HTMX re-renders a panel when a
filter changes or when a block commits (server-sent events from ``node.subscribe()`` at
``/events/blocks``). Every script and style is served from ``/static/`` out of the
package: the dashboard works with no network at all.

Everything but ``/login`` and ``/static/`` needs a login session
(:mod:`steeltrace.dashboard.sessions`): a page without one redirects (303) to
``/login?next=...``; a partial, the proof bundle and the event stream answer 401 problem
details. Each page shows what the API would show the session's user
(:mod:`steeltrace.api.visibility`, through :mod:`steeltrace.dashboard.views`).

Routes: ``/login`` ``/logout`` ``/`` ``/monitor`` ``/monitor/panel`` ``/lots/{id}``
``/explorer`` ``/explorer/latest`` ``/blocks/{h}`` ``/tx/{id}`` ``/organisations``
``/search`` ``/proof/{tx_id}.json`` ``/events/blocks`` ``/static/...``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import anyio
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sse_starlette.sse import EventSourceResponse

from steeltrace.analytics.chain_index import ChainIndex
from steeltrace.api import problems
from steeltrace.api.auth import Principal, authenticate_token, principal_for
from steeltrace.api.users import UserStore
from steeltrace.dashboard import formatting, views
from steeltrace.dashboard.sessions import COOKIE, SessionStore, live_user
from steeltrace.errors import SteeltraceError

if TYPE_CHECKING:
    from steeltrace.node.service import Node

__all__ = ["mount"]

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
TEMPLATE_DIR = _HERE / "templates"
SSE_POLL_SECONDS = 0.25
SSE_PING_SECONDS = 15
SSE_SESSION_CHECK_SECONDS = 5.0
LOGIN_BODY_LIMIT = 4096


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
    def __init__(self, node: Any, users: UserStore, sessions: SessionStore) -> None:
        self.node = node
        self.users = users
        self.sessions = sessions
        self.env = _environment()
        self.index = ChainIndex()
        self.declarations = views.DeclarationCache()

    def render(
        self, name: str, who: Principal | None, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        template = self.env.get_template(name)
        context.setdefault("chain_id", self.node.chain_id)
        context.setdefault("head_height", self.node.height())
        context["who"] = who
        html = template.render(**context)
        # Scoped to the user: never kept by a shared cache or the back button after logout.
        headers = {"Cache-Control": "no-store", "Vary": "Cookie"}
        return HTMLResponse(html, status_code=status_code, headers=headers)

    def not_found(self, what: str, who: Principal) -> HTMLResponse:
        return self.render("not_found.html", who, status_code=404, what=what, page="")

    def principal(self, request: Request) -> Principal | None:
        """The logged-in user of this request's session cookie, checked again now."""
        session_id = request.cookies.get(COOKIE)
        session = self.sessions.get(session_id)
        if session is None:
            return None
        try:
            return principal_for(self.node, live_user(self.users, session))
        except SteeltraceError:
            # revoked, or the organisation left: the session ends with it
            self.sessions.end(session_id)
            return None


class _NoSession(Exception):
    """No live session: a page redirects to the login form, anything else is a 401."""

    def __init__(self, as_page: bool) -> None:
        self.as_page = as_page


def safe_next(value: str | None) -> str:
    """Where to go after login: a path on this site only (no ``//host``, no scheme)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 0x20 or c == "\\" for c in value) or len(value) > 2000:
        return "/"
    if value.split("?", 1)[0] in ("/login", "/logout"):
        return "/"
    return value


def _login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?" + urlencode({"next": target})


async def _no_session(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, _NoSession)
    if exc.as_page and not request.headers.get("HX-Request"):
        return RedirectResponse(_login_url(request), status_code=303)
    response = problems.problem(
        401,
        "SESSION_REQUIRED",
        "log in to the dashboard at /login (with a token from 'steeltrace users add')",
        request.url.path,
        kind="unauthorized",
    )
    response.headers["Cache-Control"] = "no-store"
    if request.headers.get("HX-Request"):
        # an HTMX panel whose session ended: send the whole page to the login form
        current = urlsplit(request.headers.get("HX-Current-URL") or "/")
        path = (current.path or "/") + (f"?{current.query}" if current.query else "")
        response.headers["HX-Redirect"] = "/login?" + urlencode({"next": safe_next(path)})
    return response


def _same_origin(request: Request) -> bool:
    """A form post from this site (``Origin``, when the browser sends one, is ours)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


def _set_cookie(request: Request, response: Response, session_id: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _router(pages: _Pages) -> APIRouter:
    node = pages.node
    r = APIRouter(include_in_schema=False)

    def page_user(request: Request) -> Principal:
        who = pages.principal(request)
        if who is None:
            raise _NoSession(as_page=True)
        return who

    def data_user(request: Request) -> Principal:
        who = pages.principal(request)
        if who is None:
            raise _NoSession(as_page=False)
        return who

    @r.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return pages.render(
            "login.html", pages.principal(request), page="login", next=safe_next(next), error=None
        )

    @r.post("/login")
    async def login(request: Request) -> Response:
        if not _same_origin(request):
            return pages.render(
                "login.html", None, 403, page="login", next="/", error="a login from another site"
            )
        body = await _form(request)
        target = safe_next(body.get("next"))
        token = (body.get("token") or "").strip()
        try:
            who = await anyio.to_thread.run_sync(authenticate_token, pages.users, node, token)
        except SteeltraceError as e:
            return pages.render("login.html", None, 401, page="login", next=target, error=e.message)
        old = request.cookies.get(COOKIE)
        pages.sessions.end(old)  # a new login never reuses an id the browser had
        response = RedirectResponse(target, status_code=303)
        session_id = pages.sessions.create(who.user)
        _set_cookie(request, response, session_id, int(pages.sessions.lifetime))
        return response

    @r.api_route("/logout", methods=["GET", "POST"])
    def logout(request: Request) -> Response:
        if request.method == "POST" and not _same_origin(request):
            return RedirectResponse("/", status_code=303)
        pages.sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        response.headers["Cache-Control"] = "no-store"
        return response

    @r.get("/", response_class=HTMLResponse)
    def home(who: Principal = Depends(page_user)) -> HTMLResponse:
        ctx = views.overview(node, who, pages.declarations)
        return pages.render("index.html", who, page="home", **ctx)

    @r.get("/monitor", response_class=HTMLResponse)
    def monitor(request: Request, who: Principal = Depends(page_user)) -> HTMLResponse:
        ctx = views.monitor(node, dict(request.query_params), who, pages.declarations)
        return pages.render("monitor.html", who, page="monitor", **ctx)

    @r.get("/monitor/panel", response_class=HTMLResponse)
    def monitor_panel(request: Request, who: Principal = Depends(data_user)) -> HTMLResponse:
        params = dict(request.query_params)
        ctx = views.monitor(node, params, who, pages.declarations)
        response = pages.render("_monitor_panel.html", who, **ctx)
        if request.headers.get("HX-Request"):
            # keep the address bar on /monitor with the filters, so a view can be shared
            query = urlencode({k: v for k, v in params.items() if v})
            response.headers["HX-Replace-Url"] = "/monitor" + (f"?{query}" if query else "")
        return response

    @r.get("/lots/{lot_id}", response_class=HTMLResponse)
    def lot(lot_id: str, who: Principal = Depends(page_user)) -> HTMLResponse:
        ctx = views.lot_page(node, pages.index, lot_id, who)
        if ctx is None:
            return pages.not_found(f"lot {lot_id}", who)
        return pages.render("lot.html", who, page="lots", **ctx)

    @r.get("/explorer", response_class=HTMLResponse)
    def explorer(who: Principal = Depends(page_user)) -> HTMLResponse:
        return pages.render("explorer.html", who, page="explorer", **views.explorer(node))

    @r.get("/explorer/latest", response_class=HTMLResponse)
    def explorer_latest(who: Principal = Depends(data_user)) -> HTMLResponse:
        return pages.render("_explorer_latest.html", who, **views.explorer(node))

    @r.get("/blocks/{height}", response_class=HTMLResponse)
    def block(height: int, who: Principal = Depends(page_user)) -> HTMLResponse:
        ctx = views.block_page(node, height)
        if ctx is None:
            return pages.not_found(f"block {height}", who)
        return pages.render("block.html", who, page="explorer", **ctx)

    @r.get("/tx/{tx_id}", response_class=HTMLResponse)
    def tx(tx_id: str, who: Principal = Depends(page_user)) -> HTMLResponse:
        ctx = views.tx_page(node, tx_id, who)
        if ctx is None:
            # unknown, or hidden from this user: the same page, nothing leaked (I-18)
            return pages.not_found(f"transaction {tx_id}", who)
        return pages.render("tx.html", who, page="explorer", **ctx)

    @r.get("/organisations", response_class=HTMLResponse)
    def organisations(who: Principal = Depends(page_user)) -> HTMLResponse:
        ctx = views.organisations(node)
        return pages.render("organisations.html", who, page="organisations", **ctx)

    @r.get("/search")
    def search(q: str = "", who: Principal = Depends(page_user)) -> Response:
        q = q.strip()
        if q.isdigit():
            return RedirectResponse(f"/blocks/{int(q)}", status_code=303)
        if len(q) == 64:
            found = node.tx(q.lower())
            if found is not None and views.visible_envelope(node, who, found) is not None:
                return RedirectResponse(f"/tx/{q.lower()}", status_code=303)
        if q and node.get(f"lot/{q}") is not None:
            return RedirectResponse(f"/lots/{q}", status_code=303)
        return pages.not_found(f"anything called {q!r}", who)

    @r.get("/proof/{tx_id}.json")
    def proof(tx_id: str, who: Principal = Depends(data_user)) -> JSONResponse:
        bundle = views.proof_bundle(node, tx_id, who)
        if bundle is None:
            raise HTTPException(404, f"transaction {tx_id} is not committed")
        return JSONResponse(bundle, headers={"Cache-Control": "no-store"})

    @r.get("/events/blocks")
    async def block_events(
        request: Request, who: Principal = Depends(data_user)
    ) -> EventSourceResponse:
        sub = node.subscribe()
        template = pages.env.get_template("_block_event.html")
        session_id = request.cookies.get(COOKIE)

        async def stream() -> Any:
            checked = anyio.current_time()
            try:
                while not await request.is_disconnected():
                    if anyio.current_time() - checked > SSE_SESSION_CHECK_SECONDS:
                        # the stream ends with the session (logout, expiry, revocation)
                        if pages.sessions.get(session_id, touch=False) is None:
                            return
                        checked = anyio.current_time()
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


async def _form(request: Request) -> dict[str, str]:
    """A small ``application/x-www-form-urlencoded`` body (the login form), first values."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > LOGIN_BODY_LIMIT:
            return {}
    try:
        parsed = parse_qs(data.decode("utf-8", "replace"), max_num_fields=8)
    except ValueError:
        return {}
    return {k: v[0] for k, v in parsed.items() if v}


def mount(app: FastAPI, node: Node, sessions: SessionStore | None = None) -> None:
    """Add the dashboard's login, pages, partials, events and static files to ``app``.

    Users are the API's (``app.state.users``); sessions live in ``sessions`` (a fresh
    in-memory store by default), kept as ``app.state.dashboard_sessions``."""
    store = sessions or SessionStore()
    app.state.dashboard_sessions = store
    pages = _Pages(node, app.state.users, store)
    app.add_exception_handler(_NoSession, _no_session)
    app.include_router(_router(pages))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="dashboard-static")
