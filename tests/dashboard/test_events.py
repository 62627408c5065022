"""The live block stream needs a session and ends with it: logging out in another tab (or
the session expiring, or the token being revoked) closes an open stream."""

from __future__ import annotations

import time

import httpx
import pytest

from steeltrace.dashboard import routes
from tests.browser.conftest import http_login, serve
from tests.dashboard.conftest import World


def test_the_event_stream_ends_with_its_session(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes, "SSE_SESSION_CHECK_SECONDS", 0.2)
    with serve(world.node, world.home) as base, httpx.Client(base_url=base, timeout=10) as c:
        http_login(c, world.tokens["svc-ca"])
        with c.stream("GET", "/events/blocks") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            with httpx.Client(base_url=base, timeout=10, cookies=c.cookies) as other_tab:
                assert other_tab.post("/logout").status_code == 303
            started = time.monotonic()
            for _ in stream.iter_bytes():
                pass  # the server closes the stream; a read timeout would fail the test
            assert time.monotonic() - started < 5
        assert c.get("/events/blocks").status_code == 401
