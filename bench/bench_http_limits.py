"""HTTP-layer abuse benchmark: what oversized headers and half-open connections cost ``prodex serve``.

Starts ``prodex serve`` (SQLite in a temporary folder) on 127.0.0.1 and, from this process, with no
API key (none is needed for any of this):

1. **one 64 MB header**: sends ``GET /healthz`` with a 64 MB header value while a probe asks
   ``/healthz`` every 20 ms on new connections; reports how much the server read before it
   answered or closed, its answer, and the probe's worst latency (how long the event loop was held);
2. **ten 100 MB headers at once**: the server's resident memory (VmRSS) before, at its peak and
   2 s after;
3. **1,100 half-open connections** (each sends half a request line and headers, then nothing):
   while they stay open, a new client asks ``/healthz``: its status and latency (five times).

Every connection goes to 127.0.0.1 only. Usage::

    .venv/bin/python bench/bench_http_limits.py [--half-open 1100] [--big-header-mb 64]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from _servers import clean_env, free_port, process, wait_until_up

PRODEX = str(Path(sys.executable).with_name("prodex"))
CHUNK = b"a" * (1024 * 1024)


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ask(port: int, timeout: float = 30) -> tuple[int, float]:
    """GET /healthz on a new connection: (status or 0 on failure, seconds)."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: bench\r\nconnection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return int(data.split(b" ", 2)[1]), time.monotonic() - started
    except (OSError, IndexError, ValueError):
        return 0, time.monotonic() - started


def send_big_header(port: int, megabytes: int) -> tuple[int, int]:
    """Send one request with a ``megabytes`` MB header; (bytes sent before the server stopped
    reading, status of the answer or 0)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: bench\r\nx-big: ")
            for _ in range(megabytes):
                sock.sendall(CHUNK)
                sent += len(CHUNK)
            sock.sendall(b"\r\n\r\n")
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        try:
            answer = sock.recv(65536)
            return sent, int(answer.split(b" ", 2)[1]) if answer else 0
        except (OSError, IndexError, ValueError):
            return sent, 0


def big_header(port: int, megabytes: int) -> None:
    """Measurement 1: one huge header while the probe runs."""
    latencies: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            latencies.append(ask(port)[1])
            time.sleep(0.02)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    time.sleep(0.3)
    started = time.monotonic()
    sent, status = send_big_header(port, megabytes)
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    stop.set()
    prober.join()
    print(
        f"one {megabytes} MB header: {sent / 2**20:.1f} MiB sent in {elapsed:.2f} s before the server "
        f"stopped reading; answer {status or 'nothing (closed)'}; /healthz probe worst latency "
        f"{max(latencies) * 1000:.0f} ms over {len(latencies)} probes"
    )


def ten_big_headers(port: int, pid: int) -> None:
    """Measurement 2: server memory under ten 100 MB headers at once."""
    before = rss_mib(pid)
    peak = before
    threads = [threading.Thread(target=send_big_header, args=(port, 100), daemon=True) for _ in range(10)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss_mib(pid))
        time.sleep(0.05)
    time.sleep(2)
    print(
        f"ten 100 MB headers at once: server RSS {before:.0f} MiB before, peak {peak:.0f} MiB, "
        f"{rss_mib(pid):.0f} MiB 2 s after"
    )


def half_open(port: int, count: int) -> None:
    """Measurement 3: a new client while ``count`` connections hold half a request each."""
    with ExitStack() as stack:
        opened = 0
        for _ in range(count):
            try:
                sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
                sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: bench\r\nx-half: ")
                opened += 1
            except OSError:
                break
        time.sleep(0.5)
        results = [ask(port, timeout=10) for _ in range(5)]
    statuses = sorted({status for status, _ in results})
    worst = max(seconds for _, seconds in results)
    print(f"{opened} half-open connections: a new client got {statuses} (worst of 5: {worst * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half-open", type=int, default=1100)
    parser.add_argument("--big-header-mb", type=int, default=64)
    args = parser.parse_args()
    print(f"load average before: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}; cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="prodex-bench-http-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        env = clean_env(PRODEX_DATA_DIR=str(workdir / "data"), PRODEX_LOG_LEVEL="ERROR", PRODEX_RENDER="off")
        command = [PRODEX, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-dev-account"]
        with process(command, env, workdir / "serve.log") as proc:
            wait_until_up(f"http://127.0.0.1:{port}/healthz")
            big_header(port, args.big_header_mb)
            ten_big_headers(port, proc.pid)
            half_open(port, args.half_open)


if __name__ == "__main__":
    main()
