"""Operations: /healthz checks the database (and any added component), /metrics counts
requests by route and code with a latency histogram, access logs carry the request id, and the
OpenAPI document describes every endpoint including the additions."""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread
from sqlalchemy import create_engine

from prodex.api.app import create_app
from prodex.api.logs import JsonFormatter
from prodex.fetch.render import render_health


def test_healthz_checks_the_database(live: LiveApi) -> None:
    with live.client() as client:
        data = assert_envelope(client.get("/healthz"), 200, 0)
    workers = data["components"].pop("workers", "ok")  # the pool's summary (tests/cli check it live)
    assert workers.startswith("ok")
    components = {"database": "ok"}
    render = render_health(live.settings)  # the render component (tests/render check its values)
    if render is not None:
        components["render"] = render.text
    assert data == {"status": "ok", "components": components}


def test_healthz_reports_failing_components(database_url: str, tmp_path: object) -> None:
    app = create_app(make_settings(database_url, tmp_path))  # type: ignore[arg-type]
    with serve_in_thread(app) as base_url:

        async def render_is_down() -> None:
            raise RuntimeError("no chromium")

        app.state.health_checks["render"] = render_is_down
        data = assert_envelope(httpx.get(f"{base_url}/healthz"), 503, 50000)
        assert data["components"].pop("workers", "ok").startswith("ok")
        assert data == {"status": "error", "components": {"database": "ok", "render": "error"}}
        del app.state.health_checks["render"]
        # The database becomes unreachable: a closed port on this machine.
        app.state.database.engine = create_engine(
            "postgresql+psycopg://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 2}
        )
        response = httpx.get(f"{base_url}/healthz")
        data = assert_envelope(response, 503, 50000)
        assert data["components"]["database"] == "error"
        assert "127.0.0.1" not in response.text


def _counter(metrics_text: str, **labels: str) -> float:
    wanted = {f'{k}="{v}"' for k, v in labels.items()}
    for line in metrics_text.splitlines():
        match = re.fullmatch(r"prodex_http_requests_total\{(.*)\} (\S+)", line)
        if match and set(match.group(1).split(",")) == wanted:
            return float(match.group(2))
    return 0.0


def test_metrics_count_requests_by_route_and_code(live: LiveApi) -> None:
    _, key = live.account()
    created = {"method": "POST", "route": "/v2/product", "status": "200", "code": "0"}
    missing = {"method": "GET", "route": "/v2/product/{product_id}", "status": "404", "code": "10104"}
    with live.client(key) as client:
        before = client.get("/metrics").text
        for _ in range(3):
            assert_envelope(client.post("/v2/product", json={"name": "m"}), 200, 0)
        assert_envelope(client.get("/v2/product/none"), 404, 10104)
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    assert _counter(after, **created) - _counter(before, **created) == 3
    assert _counter(after, **missing) - _counter(before, **missing) == 1
    assert re.search(
        r'prodex_http_request_duration_seconds_bucket\{le="0\.25",method="POST",route="/v2/product"\} \d',
        after,
    )
    assert "/v2/product/none" not in after  # routes are templates: bounded label values


def test_access_logs_are_structured_and_carry_the_request_id(
    live: LiveApi, caplog: pytest.LogCaptureFixture
) -> None:
    _, key = live.account()
    with caplog.at_level(logging.INFO, logger="prodex.access"), live.client(key) as client:
        client.post("/v2/product", json={"name": "logged"}, headers={"x-request-id": "log-check-1"})
    records = [
        r for r in caplog.records if r.name == "prodex.access" and getattr(r, "rid", None) == "log-check-1"
    ]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["rid"] == "log-check-1"
    assert (line["method"], line["route"], line["status"], line["code"]) == ("POST", "/v2/product", 200, 0)
    assert line["ms"] > 0
    assert key not in JsonFormatter().format(records[0])


def test_openapi_and_docs_describe_every_endpoint(live: LiveApi) -> None:
    with live.client() as client:
        schema = client.get("/openapi.json").json()
        docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert operations >= {
        ("/v2/product", "post"),
        ("/v2/product", "put"),
        ("/v2/product/{product_id}", "get"),
        ("/v2/product/{product_id}", "delete"),
        ("/v2/products", "get"),
        ("/v2/user/whoami", "get"),
        ("/v2/user/remaining_quota", "get"),
        ("/healthz", "get"),
        ("/metrics", "get"),
    }
    info = schema["components"]["schemas"]["ProductInfo"]["properties"]
    for field in (
        "product_id",
        "url",
        "name",
        "description",
        "target_audience",
        "media",
        "selling_points",
        "price",
        "currency",
        "brand",
        "sku",
        "gtin",
        "availability",
        "category",
        "language",
        "source",
    ):
        assert field in info, field
    assert schema["components"]["securitySchemes"]["apiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "The API key of the account (`prodex accounts create` prints one).",
    }
    assert "422" not in json.dumps(schema["paths"])


async def test_serving_collects_young_objects_less_often_and_restores_the_setting(
    database_url: str, tmp_path: object
) -> None:
    """While the app serves, the young generation is collected every GC_YOUNG_THRESHOLD
    allocations; at shut-down the process's previous thresholds come back."""
    import gc

    from prodex.gc_tuning import GC_YOUNG_THRESHOLD

    app = create_app(make_settings(database_url, tmp_path, url_analysis=False))  # type: ignore[arg-type]
    saved = gc.get_threshold()  # other live test servers in this process set it too
    gc.set_threshold(1234, 11, 12)
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, 11, 12)
        assert gc.get_threshold() == (1234, 11, 12)
    finally:
        gc.set_threshold(*saved)
