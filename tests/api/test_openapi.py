"""OpenAPI and the docs page: complete, and no page makes an external request."""

from __future__ import annotations

import re
from typing import Any

from tests.api.world import World

EXPECTED_PATHS = {
    "/v1/transactions",
    "/v1/tx/{tx_type}",
    "/v1/organisations",
    "/v1/organisations/{record_id}",
    "/v1/facilities",
    "/v1/heats",
    "/v1/heats/{mill}/{heat_no}",
    "/v1/lots",
    "/v1/lots/{record_id}",
    "/v1/lots/{lot_id}/trace",
    "/v1/lots/{lot_id}/origin",
    "/v1/certificates/{cert_id}",
    "/v1/contracts",
    "/v1/shipments",
    "/v1/declarations",
    "/v1/receipts",
    "/v1/pledges",
    "/v1/blocks",
    "/v1/blocks/{height}",
    "/v1/transactions/{tx_id}",
    "/v1/transactions/{tx_id}/status",
    "/v1/transactions/{tx_id}/proof",
    "/v1/events",
}


def test_openapi_lists_every_endpoint_with_bearer_auth(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) >= EXPECTED_PATHS
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    write = spec["paths"]["/v1/tx/{tx_type}"]["post"]
    assert write["security"] == [{"bearer": []}]
    assert "application/json" in write["requestBody"]["content"]


def test_docs_page_uses_only_vendored_assets(client: Any) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert urls, page.text
    for url in urls:
        assert not re.match(r"^(https?:)?//", url), url
    assert "validatorUrl" in page.text and '"validatorUrl": null' in page.text
    for url in urls:
        if url.startswith("/api/static/"):
            asset = client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 1000


def test_problem_for_a_wrong_method(client: Any, world: World) -> None:
    response = client.delete("/v1/lots", headers=world.headers("bank-1/lender"))
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
    assert response.headers["content-type"].startswith("application/problem+json")


def test_an_unexpected_error_is_a_500_problem_without_internals(
    world: World, monkeypatch: Any, caplog: Any
) -> None:
    from steeltrace.api.app import create_app
    from tests.api.conftest import TestClient

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")

    app = create_app(world.node, home=world.home, mount_dashboard=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        monkeypatch.setattr(world.node, "scan", boom)
        response = c.get("/v1/lots", headers=world.headers("bank-1/lender"))
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "INTERNAL" and "secret" not in response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "secret internal detail" in caplog.text


ODD_VALUES = [
    "",
    "x",
    "0",
    "-1",
    "99999999999999999999",
    "%00",
    "%FF",
    "..%2F..",
    "L1",
    "ü",
    "a" * 300,
]


def test_i21_every_get_in_the_openapi_with_odd_values_never_500s(client: Any, world: World) -> None:
    """Walk the OpenAPI: each GET route, each path parameter and query parameter filled
    with odd values. Any status but 5xx is fine; errors must be problem details."""
    import random

    rng = random.Random(21)
    spec = client.get("/openapi.json").json()
    headers = world.headers("customs-ca/officer")
    calls = 0
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or not path.startswith("/v1") or path == "/v1/events":
            continue
        params = get.get("parameters", [])
        for _ in range(12):
            url = path
            query = []
            for p in params:
                value = rng.choice(ODD_VALUES)
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", value or "x")
                elif rng.random() < 0.7:
                    query.append(f"{p['name']}={value}")
            if query:
                url += "?" + "&".join(query)
            response = client.get(url, headers=headers)
            calls += 1
            assert response.status_code < 500, (url, response.text)
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json")
    assert calls > 200
