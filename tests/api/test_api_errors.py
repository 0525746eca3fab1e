"""Errors never leak internals; unknown paths and methods answer in the envelope; request ids
are echoed or generated."""

from __future__ import annotations

import logging

import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread

from prodex.api.app import create_app


def test_an_unexpected_error_answers_50000_without_internals(
    database_url: str, tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_settings(database_url, tmp_path))  # type: ignore[arg-type]

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("connection to 10.1.2.3:5432 failed, password=hunter2")

    with caplog.at_level(logging.INFO), serve_in_thread(app) as base_url:
        import httpx

        response = httpx.get(f"{base_url}/boom", headers={"x-request-id": "boom-1"})
    assert_envelope(response, 500, 50000)
    for secret in ("10.1.2.3", "hunter2", "Traceback", "RuntimeError", "boom.py"):
        assert secret not in response.text
    assert response.json()["rid"] == "boom-1"
    logged = [r for r in caplog.records if r.exc_info and getattr(r, "rid", None) == "boom-1"]
    assert logged, "the traceback is logged with the request id"


def test_unknown_paths_and_methods_answer_in_the_envelope(live: LiveApi) -> None:
    with live.client() as client:
        assert_envelope(client.get("/v2/nothing-here"), 404, 10104)
        assert_envelope(client.delete("/v2/products"), 405, 40000)
        assert_envelope(client.patch("/v2/product"), 405, 40000)


def test_request_ids_are_echoed_when_sane_and_made_otherwise(live: LiveApi) -> None:
    _, key = live.account()
    with live.client(key) as client:
        given = client.get("/v2/user/whoami", headers={"x-request-id": "client-id.42:a_b"})
        assert_envelope(given, 200, 0)
        assert given.headers["x-request-id"] == "client-id.42:a_b"
        seen = set()
        for bad in ("has space", "x" * 65, "<script>", ""):
            response = client.get("/v2/user/whoami", headers={"x-request-id": bad})
            assert_envelope(response, 200, 0)
            assert response.headers["x-request-id"] != bad
            seen.add(response.headers["x-request-id"])
        assert len(seen) == 4
