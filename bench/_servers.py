"""Shared pieces of the benchmark scripts: free ports, server processes, databases, accounts.

Everything runs on 127.0.0.1; PostgreSQL benchmarks use a temporary database that is dropped.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float = 60) -> None:
    """Poll ``url`` until it answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process with its output in ``log``; stop it afterwards."""
    with log.open("wb") as sink:
        proc = subprocess.Popen(args, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=log.parent)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def database(backend: str, workdir: Path, postgres_url: str) -> Iterator[str]:
    """A fresh database URL for ``backend``, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"prodex_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_account(database_url: str, plans_json: str, credits: int = 0) -> str:
    """Migrate the database and create the benchmark account on plan ``bench``; returns its key."""
    from prodex.service.accounts import Accounts
    from prodex.settings import Settings
    from prodex.store.db import Database
    from prodex.store.migrate import upgrade_database

    db = Database(database_url, pool_size=1)
    try:
        upgrade_database(db)
        settings = Settings.model_validate({"plans": json.loads(plans_json), "default_plan": "bench"})
        _, issued = Accounts(db, settings).create(name="bench", plan="bench", credits=credits)
        return issued.secret
    finally:
        db.dispose()


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any PRODEX_ variable, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODEX_")}
    env.update(settings)
    return env


def peak_rss_mib(pid: int) -> float:
    """The peak resident memory (VmHWM) of process ``pid`` plus that of its living children, MiB."""
    total_kib = 0
    for each in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and its living children, seconds."""
    ticks = 0
    for each in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        for task in tasks:
            for child in (task / "children").read_text().split():
                found += [int(child), *_children(int(child))]
    except OSError:
        pass
    return found


def own_peak_rss_mib() -> float:
    """This process's peak resident memory, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- a minimal HTTP/1.1 client (httpx's per-request CPU cost would make the load generator the
# bottleneck on a 2-core machine) ----------------------------------------------------------------


def http_request(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    """A raw HTTP/1.1 POST request for ``url``."""
    parts = urlsplit(url)
    lines = [f"POST {parts.path} HTTP/1.1", f"host: {parts.netloc}", "content-type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def send_once(url: str, request: bytes) -> tuple[int, bytes]:
    """Send a raw ``request`` on a new connection to ``url``'s host; returns (status, body)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname or "127.0.0.1", parts.port or 80)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await reader.readexactly(length)
        return int(head.split(b" ", 2)[1]), body
    finally:
        writer.close()
