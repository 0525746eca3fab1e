"""`prodex worker` processes make the deliveries that another process put on the queue: two real
worker processes on one PostgreSQL database, a real receiver on 127.0.0.1; SIGTERM stops them."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import orjson
import pytest
from webhook_helpers import delivery_ids, finished, new_account, receiver_settings

from fixtures.webhook_receiver import WebhookReceiver
from prodex.service.background import Background
from prodex.service.webhooks import WebhookEndpoints
from prodex.store.db import Database
from prodex.webhooks import PRODUCT_CREATED
from prodex.webhooks.jobs import register_webhooks

PRODEX = str(Path(sys.executable).with_name("prodex"))


@contextmanager
def worker_process(env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """`prodex worker`, once it says it started; stopped with SIGTERM afterwards (it must exit 0)."""
    process = subprocess.Popen(
        [PRODEX, "worker"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    started = threading.Event()
    lines: list[str] = []

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "worker started" in line:
                started.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not started.wait(0.1):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("prodex worker did not start:\n" + "".join(lines[-30:]))
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        reader.join(timeout=10)
        assert code == 0, "".join(lines[-30:])


@pytest.mark.postgres
@pytest.mark.parametrize("fresh_database_url", ["postgres"], indirect=True)
async def test_prodex_worker_processes_make_the_deliveries(
    fresh_database_url: str, queue_database: Database, tmp_path: Path
) -> None:
    database = queue_database
    with WebhookReceiver() as receiver:
        settings = receiver_settings(receiver.port, database_url=fresh_database_url)
        account_id = new_account(database)
        endpoint = WebhookEndpoints(database, settings).create(
            account_id, url=receiver.url("/ok?workers"), events=[PRODUCT_CREATED], status="enabled"
        )
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PRODEX_DATABASE_URL": fresh_database_url,
            "PRODEX_URL_ANALYSIS": "false",
            "PRODEX_FETCH_ALLOW_PRIVATE": "true",
            "PRODEX_FETCH_ALLOWED_HOSTS": f"127.0.0.1:{receiver.port}",
            "PRODEX_WEBHOOK_RETRY_DELAYS": "0.05",
            "PRODEX_SHUTDOWN_GRACE_SECONDS": "2",
            "PRODEX_LOG_JSON": "true",
        }
        producer = Background(settings=settings, database=database)  # a process that serves, no worker
        events = register_webhooks(producer)
        await producer.open()
        try:
            with ExitStack() as stack:
                for _ in range(2):
                    stack.enter_context(worker_process(env, tmp_path))
                ids = []
                for n in range(6):
                    event_id = await events.emit(account_id, PRODUCT_CREATED, {"n": n})
                    assert event_id is not None
                    ids += await delivery_ids(database, event_id, 1)
                deliveries = [await finished(database, delivery_id) for delivery_id in ids]
        finally:
            await producer.aclose()
        received = receiver.requests_to("/ok?workers")
    assert [delivery.status for delivery in deliveries] == ["delivered"] * 6
    assert sorted(orjson.loads(request.body)["data"]["n"] for request in received) == list(range(6))
    assert all(request.signed_by(endpoint.secret) for request in received)
