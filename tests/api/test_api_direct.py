"""Direct routes (POST and PUT /v2/product served past FastAPI's routing) answer exactly like
routed requests: envelopes for every handled error, 50000 without internals for an unexpected
one, route-template metrics, and FastAPI's answers for everything that does not match exactly."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread
from fastapi import APIRouter

from prodex.api.app import create_app
from prodex.api.direct import DirectRoutes
from prodex.api.middleware import RequestContextMiddleware
from prodex.service.products import Products


def _scope(method: str, path: str, root_path: str = "") -> dict[str, object]:
    return {"type": "http", "method": method, "path": path, "root_path": root_path}


def test_the_app_serves_exactly_the_body_routes_directly(tmp_path: Path) -> None:
    app = create_app(make_settings("sqlite://", tmp_path))
    (middleware,) = [m for m in app.user_middleware if m.cls is RequestContextMiddleware]
    direct: DirectRoutes = middleware.kwargs["direct_routes"]
    for method in ("POST", "PUT"):
        route = direct.match(_scope(method, "/v2/product"))
        assert route is not None and route.route.path == "/v2/product"
    for method, path in [("GET", "/v2/product"), ("POST", "/v2/product/"), ("POST", "/v2/products")]:
        assert direct.match(_scope(method, path)) is None
    # Behind a proxy prefix, FastAPI's routing (which knows about root_path) decides.
    assert direct.match(_scope("POST", "/api/v2/product", root_path="/api")) is None


def test_a_route_that_does_not_exist_cannot_be_made_direct() -> None:
    with pytest.raises(LookupError, match="POST /nowhere"):
        DirectRoutes().add(APIRouter(), "POST", "/nowhere")


def test_handled_errors_on_direct_routes_answer_in_the_envelope(live: LiveApi) -> None:
    _, key = live.account()
    with live.client() as anonymous:
        assert_envelope(anonymous.post("/v2/product", json={"name": "x"}), 401, 10105)
    with live.client(key) as client:
        invalid = assert_envelope(client.post("/v2/product", json={"media": "nope"}), 400, 40000)
        assert invalid["field"] in {"media", "name"}
        absent = {"product_id": "absent0000000000", "name": "y"}
        assert assert_envelope(client.put("/v2/product", json=absent), 404, 10104) is None
        not_json = assert_envelope(
            client.post("/v2/product", content=b"{", headers={"content-type": "application/json"}), 400, 40000
        )
        assert not_json["field"] == "body"
        # Not an exact match: FastAPI's routing answers, as it always did.
        redirected = client.post(
            "/v2/product/?a=1", json={"name": "x"}, headers={"host": "evil.example"}, follow_redirects=False
        )
        assert redirected.status_code == 307
        assert redirected.headers["location"] == "/v2/product?a=1"  # the path only: no Host echoed
        slash = client.get("/v2/user/whoami/", headers={"host": "evil.example"}, follow_redirects=False)
        assert slash.status_code == 307 and slash.headers["location"] == "/v2/user/whoami"
        assert_envelope(client.get("//evil.example/", follow_redirects=False), 404, 10104)
        metrics = client.get("/metrics").text
    assert 'route="/v2/product",status="400"' in metrics
    assert 'route="/v2/product",status="404"' in metrics


def test_an_unexpected_error_on_a_direct_route_answers_50000_without_internals(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_store(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("connection to 10.1.2.3:5432 failed, password=hunter2")

    monkeypatch.setattr(Products, "acreate_manual", broken_store)
    settings = make_settings(database_url, tmp_path)
    app = create_app(settings)
    with caplog.at_level(logging.INFO), serve_in_thread(app) as base_url:
        key = app.state.accounts.create(name="direct", plan="test")[1].secret
        headers = {"x-api-key": key, "x-request-id": "direct-1"}
        response = httpx.post(f"{base_url}/v2/product", json={"name": "x"}, headers=headers)
        metrics = httpx.get(f"{base_url}/metrics").text
    assert_envelope(response, 500, 50000)
    for secret in ("10.1.2.3", "hunter2", "Traceback", "RuntimeError"):
        assert secret not in response.text
    assert [r for r in caplog.records if r.exc_info and getattr(r, "rid", None) == "direct-1"]
    assert 'method="POST",route="/v2/product",status="500"' in metrics


def test_a_route_with_parameters_or_dependencies_is_refused() -> None:
    from fastapi import Depends, Request

    router = APIRouter()

    @router.post("/with-query")
    async def with_query(request: Request, page: int = 1) -> None: ...

    async def dependency() -> None: ...

    @router.post("/with-dependency", dependencies=[Depends(dependency)])
    async def with_dependency(request: Request) -> None: ...

    for path in ("/with-query", "/with-dependency"):
        with pytest.raises(ValueError, match="route it normally"):
            DirectRoutes().add(router, "POST", path)


def test_the_body_routes_are_served_by_the_direct_route(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prodex.api.direct import DirectRoute

    served: list[str] = []
    original = DirectRoute.__call__

    async def spy(self: DirectRoute, scope: Any, receive: Any, send: Any) -> None:
        served.append(f"{scope['method']} {scope['path']}")
        await original(self, scope, receive, send)

    monkeypatch.setattr(DirectRoute, "__call__", spy)
    app = create_app(make_settings(database_url, tmp_path))
    with serve_in_thread(app) as base_url:
        key = app.state.accounts.create(name="direct", plan="test")[1].secret
        with httpx.Client(base_url=base_url, headers={"x-api-key": key}) as client:
            created = assert_envelope(client.post("/v2/product", json={"name": "spied"}), 200, 0)
            assert_envelope(client.put("/v2/product", json={"product_id": created["product_id"]}), 200, 0)
            assert_envelope(client.get(f"/v2/product/{created['product_id']}"), 200, 0)
    assert served == ["POST /v2/product", "PUT /v2/product"]
