"""The dashboard is a logged-in product: no page, partial, proof or event stream without a
session; the session comes from an API token at /login, lives on the server, and ends at
logout, on revocation, when idle or old; a forged cookie names nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from steeltrace.api.users import User, UserStore
from steeltrace.dashboard.routes import safe_next
from steeltrace.dashboard.sessions import COOKIE, SessionStore
from tests.browser import world as story
from tests.dashboard.conftest import World, as_user

PAGES = [
    "/",
    "/monitor",
    "/monitor?country=KR&direction=all",
    "/explorer",
    "/organisations",
    f"/lots/{story.KR_COIL}",
    "/blocks/1",
    "/tx/" + "0" * 64,
    "/search?q=1",
]
DATA = ["/monitor/panel", "/explorer/latest", "/proof/" + "0" * 64 + ".json", "/events/blocks"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_without_a_session_redirects_to_the_login_form(
    client: TestClient, path: str
) -> None:
    client.cookies.clear()
    r = client.get(path)
    assert r.status_code == 303
    target = urlsplit(r.headers["location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [path]
    assert "Lot" not in r.text and "declaration" not in r.text  # nothing rendered


@pytest.mark.parametrize("path", DATA)
def test_partials_proofs_and_events_without_a_session_are_401_problems(
    client: TestClient, path: str
) -> None:
    client.cookies.clear()
    r = client.get(path)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "SESSION_REQUIRED"


def test_an_htmx_request_for_a_page_is_a_401_that_sends_the_page_to_login(
    client: TestClient,
) -> None:
    client.cookies.clear()
    r = client.get(
        "/monitor/panel?country=KR",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/monitor?country=KR"},
    )
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == "/login?next=%2Fmonitor%3Fcountry%3DKR"


def test_the_login_form_static_assets_and_health_stay_public(client: TestClient) -> None:
    client.cookies.clear()
    login = client.get("/login?next=/monitor")
    assert login.status_code == 200 and 'name="token"' in login.text
    assert 'value="/monitor"' in login.text
    assert "sse-connect" not in login.text  # no event stream before login
    assert client.get("/static/css/dashboard.css").status_code == 200
    assert client.get("/static/js/proof.js").status_code == 200
    assert client.get("/health").status_code == 200


def test_login_sets_a_strict_http_only_session_cookie_and_goes_where_asked(
    client: TestClient, world: World
) -> None:
    client.cookies.clear()
    token = world.tokens["customs-ca"]
    r = client.post("/login", data={"token": token, "next": "/monitor?country=KR"})
    assert r.status_code == 303 and r.headers["location"] == "/monitor?country=KR"
    cookie = r.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "samesite", "max-age"} <= attributes
    assert "samesite=strict" in cookie.lower() and "path=/" in cookie.lower()
    value = client.cookies[COOKIE]
    assert token not in cookie and world.tokens["customs-ca"].split("_")[1] not in value
    assert len(value) >= 43  # 32 random bytes
    page = client.get("/monitor?country=KR")
    assert page.status_code == 200
    assert "analyst" in page.text and "customs-ca" in page.text and "Log out" in page.text
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "token", ["", "st_0000000000000000_" + "A" * 43, "not a token", "Bearer x"]
)
def test_a_bad_token_is_refused_and_sets_no_cookie(client: TestClient, token: str) -> None:
    client.cookies.clear()
    r = client.post("/login", data={"token": token, "next": "/"})
    assert r.status_code == 401
    assert "set-cookie" not in r.headers
    assert "Not logged in" in r.text and "unknown, malformed or revoked" in r.text


def test_the_api_token_itself_is_not_a_session(client: TestClient, world: World) -> None:
    client.cookies.clear()
    client.cookies.set(COOKIE, world.tokens["customs-ca"])
    assert client.get("/").status_code == 303
    client.cookies.clear()


@pytest.mark.parametrize("forged", ["x", "A" * 43, "' OR 1=1 --", "a" * 5000])
def test_a_forged_cookie_is_refused(client: TestClient, forged: str) -> None:
    client.cookies.clear()
    client.cookies.set(COOKIE, forged)
    assert client.get("/monitor").status_code == 303
    assert client.get("/proof/" + "0" * 64 + ".json").status_code == 401
    client.cookies.clear()


def test_a_bearer_token_does_not_open_the_dashboard(client: TestClient, world: World) -> None:
    client.cookies.clear()
    assert client.get("/", headers=world.bearer("customs-ca")).status_code == 303


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logout_ends_the_session_on_the_server(
    client: TestClient, world: World, method: str
) -> None:
    as_user(client, world, "svc-ca")
    old = client.cookies[COOKIE]
    assert client.get("/").status_code == 200
    r = client.request(method, "/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert COOKIE in r.headers["set-cookie"] and "max-age=0" in r.headers["set-cookie"].lower()
    # replaying the old cookie: the session is gone, not just the browser's copy
    client.cookies.clear()
    client.cookies.set(COOKIE, old)
    assert client.get("/").status_code == 303
    assert client.get("/explorer/latest").status_code == 401
    client.cookies.clear()


def test_a_login_from_another_site_is_refused(client: TestClient, world: World) -> None:
    client.cookies.clear()
    r = client.post(
        "/login",
        data={"token": world.tokens["customs-ca"], "next": "/"},
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 403 and "set-cookie" not in r.headers


def test_a_new_login_replaces_the_old_session(client: TestClient, world: World) -> None:
    as_user(client, world, "customs-ca")
    first = client.cookies[COOKIE]
    r = client.post("/login", data={"token": world.tokens["customs-us"], "next": "/"})
    assert r.status_code == 303
    assert client.cookies[COOKIE] != first
    assert "customs-us" in client.get("/").text
    client.cookies.clear()
    client.cookies.set(COOKIE, first)
    assert client.get("/").status_code == 303
    client.cookies.clear()


def test_revoking_the_token_ends_its_sessions(client: TestClient, world: World) -> None:
    with UserStore.in_home(world.home) as store:
        _, token = store.add(world.node, "mill-ca", "leaver", "mill")
    client.cookies.clear()
    assert client.post("/login", data={"token": token}).status_code == 303
    assert client.get("/").status_code == 200
    with UserStore.in_home(world.home) as store:
        store.revoke("mill-ca", "leaver")
    assert client.get("/").status_code == 303
    assert client.post("/login", data={"token": token}).status_code == 401
    client.cookies.clear()


@pytest.mark.parametrize(
    ("asked", "goes"),
    [
        ("/monitor?country=KR", "/monitor?country=KR"),
        ("/lots/KR-C1", "/lots/KR-C1"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/login?next=/x", "/"),
        ("/logout", "/"),
        ("/a\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_after_login_only_a_path_on_this_site(asked: str | None, goes: str) -> None:
    assert safe_next(asked) == goes


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _user(token_id: str = "00" * 8) -> User:
    return User(token_id, "customs-ca", "analyst", "customs", 0.0, None)


def test_a_session_ends_when_idle_or_old() -> None:
    clock = _Clock()
    store = SessionStore(idle=60, lifetime=300, clock=clock)
    user = _user()
    sid = store.create(user)
    clock.now += 59
    assert store.get(sid) is not None  # used: the idle time starts again
    clock.now += 59
    assert store.get(sid, touch=False) is not None
    clock.now += 2
    assert store.get(sid) is None  # 61 s idle since the last use
    assert len(store) == 0
    sid = store.create(user)
    for _ in range(6):
        clock.now += 50
        found = store.get(sid)
    assert found is None  # used every 50 s, but 300 s after login it ends


def test_sessions_are_capped_and_ids_are_random() -> None:
    store = SessionStore(max_sessions=3)
    user = _user()
    ids = [store.create(user) for _ in range(5)]
    assert len(set(ids)) == 5 and len(store) == 3
    assert store.get(ids[0]) is None and store.get(ids[-1]) is not None
    store.end(ids[-1])
    assert store.get(ids[-1]) is None
