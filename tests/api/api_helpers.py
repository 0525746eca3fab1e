"""Helpers of the API tests: serve the real app with uvicorn on 127.0.0.1, make accounts, check envelopes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from fixtures.shop_server import local_allowed_hosts
from prodex.api.serving import server_app, uvicorn_options
from prodex.service.accounts import Accounts
from prodex.settings import Plan, Settings
from prodex.store.db import Database

TEST_PLANS = {
    "test": Plan(requests_per_minute=1_000_000, concurrent_analyses=2, credits_per_analysis=1),
    "tiny": Plan(requests_per_minute=3, concurrent_analyses=1, credits_per_analysis=1),
}


@contextmanager
def serve_in_thread(app: FastAPI, settings: Settings | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 and a free port, as `prodex serve` does (guarded
    protocol, concurrency limit; ``settings`` give the limits, default ones otherwise); yield
    its base URL."""
    settings = settings or Settings()
    options = {**uvicorn_options(settings), "lifespan": "on"}
    config = uvicorn.Config(server_app(app, settings), host="127.0.0.1", port=0, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test server: the test plans, no key cache, this database."""
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "plans": TEST_PLANS,
        "default_plan": "test",
        "api_auth_cache_seconds": 0,
        # Many tests send missing or wrong keys from 127.0.0.1 to one shared server; the limit on
        # failed authentications has its own test (test_api_ratelimit.py).
        "api_auth_failures_per_minute": 1_000_000,
        # URL analysis is on: fetching is confined to the fixture shops running now on 127.0.0.1
        # (and the address policy still refuses them), so no generated URL can ever leave this machine.
        "fetch_allowed_hosts": local_allowed_hosts(),
        "extract_pool": "thread",
        # Tests that are not about media keep the shop's media URLs as found (today's behaviour);
        # tests/media/ switch the media store on.
        "media_store": "off",
        # Job workers run only where a test asks for one (imports), so that no server of another
        # test, with other settings, runs its jobs.
        "jobs_worker": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class LiveApi:
    """A running server and direct access to its database for setting up accounts."""

    base_url: str
    app: FastAPI
    settings: Settings
    database: Database

    def account(self, *, plan: str = "test", credits: int = 0, name: str = "api-test") -> tuple[int, str]:
        """Create an account; returns its id and API key."""
        account, issued = Accounts(self.database, self.settings).create(name=name, plan=plan, credits=credits)
        return account.id, issued.secret

    def client(self, key: str | None = None) -> httpx.Client:
        """An HTTP client for this server, sending ``key`` as x-api-key."""
        headers = {"x-api-key": key} if key is not None else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


def assert_envelope(response: httpx.Response, status: int, code: int) -> Any:
    """Check the HTTP status, the envelope and the request id; return ``data``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "msg", "data", "rid"}, body
    assert body["code"] == code, body
    assert isinstance(body["msg"], str) and body["msg"]
    assert body["rid"] == response.headers["x-request-id"]
    return body["data"]
