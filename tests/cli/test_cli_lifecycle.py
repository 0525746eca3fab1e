"""`prodex serve` as a real process tree: a killed worker is replaced and its request refunded;
SIGTERM and SIGINT drain, refund what they cut off, stop every worker and exit 0."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cli_helpers import ServerProcess, clean_env, prodex_server

from fixtures.processes import alive, children_of
from fixtures.shop_server import ShopServer, local_allowed_hosts

#: About 30 s of CPU to parse without bounds: keeps a worker busy (the tests lift the CPU budget).
HOSTILE = "<html><body><h1>Deep</h1>" + "<div><span><b>" * 60_000


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    settings = {
        "PRODEX_DATA_DIR": str(tmp_path / "data"),
        "PRODEX_FETCH_ALLOW_PRIVATE": "true",
        # The fixture shops by port: a bare "127.0.0.1" allows ports 80 and 443 only.
        "PRODEX_FETCH_ALLOWED_HOSTS": ",".join(local_allowed_hosts()) or "127.0.0.1",
        "PRODEX_RENDER": "off",
        "PRODEX_EXTRACT_WORKERS": "2",
        "PRODEX_EXTRACT_CPU_BUDGET_SECONDS": "60",
    }
    return clean_env(**{**settings, **extra})


def _key(server: ServerProcess) -> str:
    lines = [line.strip() for line in server.stdout]
    return next(lines[i + 1] for i, line in enumerate(lines) if "DEVELOPMENT API KEY" in line)


def _health(server: ServerProcess) -> httpx.Response:
    return httpx.get(f"{server.base_url}/healthz", timeout=10)


def _wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def _workers_say(server: ServerProcess, text: str) -> bool:
    response = _health(server)
    return response.status_code == 200 and text in response.json()["data"]["components"]["workers"]


def _quota(server: ServerProcess, key: str) -> int:
    answer = httpx.get(f"{server.base_url}/v2/user/remaining_quota", headers={"x-api-key": key}).json()
    return int(answer["data"]["remaining_quota"])


def _create_in_background(server: ServerProcess, key: str, url: str) -> tuple[threading.Thread, list[object]]:
    answers: list[object] = []

    def create() -> None:
        try:
            answers.append(
                httpx.post(
                    f"{server.base_url}/v2/product", headers={"x-api-key": key}, json={"url": url}, timeout=90
                )
            )
        except httpx.HTTPError as exc:
            answers.append(exc)

    thread = threading.Thread(target=create, daemon=True)
    thread.start()
    return thread, answers


def test_a_killed_worker_fails_its_request_once_and_is_replaced(
    shop_server: ShopServer, tmp_path: Path
) -> None:
    hostile = shop_server.serve(f"hostile-{os.getpid()}-kill", HOSTILE)
    with prodex_server(_env(tmp_path), tmp_path) as server:
        key = _key(server)
        _wait_for(lambda: _workers_say(server, "2 ready"))
        thread, answers = _create_in_background(server, key, hostile)
        _wait_for(lambda: _workers_say(server, "1 busy"))
        workers = children_of(server.process.pid)
        assert len(workers) == 2
        for pid in workers:
            os.kill(pid, signal.SIGKILL)  # what the OOM killer does
        thread.join(60)
        response = answers[0]
        assert isinstance(response, httpx.Response), response
        body = response.json()
        assert (response.status_code, body["code"]) == (503, 50000)
        assert "retry" in body["msg"]
        assert _quota(server, key) == 100, "the charge was refunded"
        _wait_for(lambda: _workers_say(server, "2 ready"))
        assert "2 replaced" in _health(server).json()["data"]["components"]["workers"]
        created = httpx.post(
            f"{server.base_url}/v2/product",
            headers={"x-api-key": key},
            json={"url": shop_server.url("/product/basic")},
            timeout=60,
        ).json()
        assert created["code"] == 0 and created["data"]["name"]
        assert _quota(server, key) == 99
        assert not set(workers) & children_of(server.process.pid)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_drains_refunds_and_leaves_no_process(
    stop: signal.Signals, shop_server: ShopServer, tmp_path: Path
) -> None:
    hostile = shop_server.serve(f"hostile-{os.getpid()}-{stop.name}", HOSTILE)
    env = _env(tmp_path, PRODEX_SHUTDOWN_GRACE_SECONDS="1", PRODEX_LOG_JSON="false")
    with prodex_server(env, tmp_path) as server:
        key = _key(server)
        _wait_for(lambda: _workers_say(server, "2 ready"))
        workers = children_of(server.process.pid)
        quick = httpx.post(
            f"{server.base_url}/v2/product", headers={"x-api-key": key}, json={"name": "Before"}, timeout=10
        )
        assert quick.json()["code"] == 0
        thread, _ = _create_in_background(server, key, hostile)
        _wait_for(lambda: _workers_say(server, "1 busy"))
        started = time.monotonic()
        server.process.send_signal(stop)
        assert server.process.wait(timeout=30) == 0
        assert time.monotonic() - started < 20, "the grace period (1 s) bounds the shut-down, not the page"
        thread.join(30)
        _wait_for(lambda: not [pid for pid in workers if alive(pid)], 5)
        assert not children_of(server.process.pid)
    _wait_for(lambda: any("stopped on signal" in line for line in server.stderr), 5)
    assert any("stopped on signal" in line for line in server.stderr), "the last log lines are flushed"
    with prodex_server(env, tmp_path) as again:
        assert _quota(again, key) == 100, "the analysis cut off by the shut-down was refunded"


def test_sigterm_stops_every_process_of_a_multi_process_server(tmp_path: Path) -> None:
    env = _env(tmp_path, PRODEX_EXTRACT_WORKERS="1")
    with prodex_server(env, tmp_path, "--workers", "2") as server:
        _wait_for(lambda: len(_tree(server.process.pid)) >= 4)  # 2 server processes, 1 worker each
        tree = _tree(server.process.pid)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        _wait_for(lambda: not [pid for pid in tree if alive(pid)], 5)


def _tree(root: int) -> set[int]:
    """Every live descendant of ``root``."""
    found, todo = set(), [root]
    while todo:
        for child in children_of(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found
