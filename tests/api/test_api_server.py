"""The HTTP protocol of `prodex serve`: each response leaves in one write, nothing is lost."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

from api_helpers import serve_in_thread
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from prodex.api.server import MAX_HELD_BYTES, CoalescingTransport


class RecordingTransport:
    """Records the writes it is given. A stand-in for uvloop's socket transport on purpose: a
    real socket cannot tell how many write calls produced the bytes it delivers."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8000) if name == "sockname" else default


async def test_writes_of_one_loop_turn_leave_together_in_order() -> None:
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(bytearray(b"ok"))
    assert inner.writes == []  # held until the end of this turn
    await asyncio.sleep(0)
    assert inner.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]
    transport.write(b"next")
    await asyncio.sleep(0)
    assert inner.writes[1:] == [b"next"]
    assert transport.get_extra_info("sockname") == ("127.0.0.1", 8000)  # the rest is forwarded


async def test_large_writes_go_at_once_and_closing_sends_what_is_held() -> None:
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"a" * 10)
    transport.write(b"b" * MAX_HELD_BYTES)
    assert inner.writes == [b"a" * 10 + b"b" * MAX_HELD_BYTES]  # no wait past the limit
    transport.write(b"last")
    transport.close()
    assert inner.writes[-1] == b"last" and inner.closed
    transport.write(b"after close")
    await asyncio.sleep(0)
    assert inner.writes[-1] == b"last"  # nothing is written to a closing transport


def _read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def test_a_real_server_answers_keep_alive_and_streamed_responses_whole() -> None:
    app = FastAPI()
    chunk = bytes(range(256)) * 400  # 100 KiB, more than the held-bytes limit

    @app.get("/small/{n}")
    async def small(n: int) -> dict[str, int]:
        return {"n": n}

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield chunk

        return StreamingResponse(chunks(), headers={"content-length": str(10 * len(chunk))})

    with serve_in_thread(app) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            for n in range(3):  # one keep-alive connection
                sock.sendall(f"GET /small/{n} HTTP/1.1\r\nhost: t\r\n\r\n".encode())
                head, body = _read_response(sock)
                assert head.startswith(b"HTTP/1.1 200") and body == b'{"n":%d}' % n
            sock.sendall(b"GET /stream HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n")
            head, body = _read_response(sock)
            assert head.startswith(b"HTTP/1.1 200") and body == chunk * 10
            assert sock.recv(1) == b""  # then the server closed the connection
