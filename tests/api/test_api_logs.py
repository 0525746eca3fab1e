"""Log output: the JSON formatter's time stamps and the batching stderr handler."""

from __future__ import annotations

import io
import json
import logging
import random
import time
from datetime import UTC, datetime

from prodex.api.logs import BatchingStreamHandler, JsonFormatter


def test_time_stamps_match_datetime_iso_format_to_the_millisecond() -> None:
    formatter = JsonFormatter()
    base = 1.7e9
    edges = [base, base + 0.0005, base + 0.1239999, base + 0.9999994, base + 0.9999995, base + 59.9999996]
    for value in edges + [random.uniform(0, 4e9) for _ in range(20_000)]:
        expected = datetime.fromtimestamp(value, UTC).isoformat(timespec="milliseconds")
        assert formatter.timestamp(value) == expected


def _record(level: int, msg: str) -> logging.LogRecord:
    return logging.LogRecord("prodex.test", level, __file__, 1, msg, None, None)


def test_info_lines_wait_and_a_warning_writes_everything_in_order() -> None:
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream, interval=60)
    handler.setFormatter(JsonFormatter())
    try:
        handler.handle(_record(logging.INFO, "first"))
        handler.handle(_record(logging.INFO, "second"))
        assert stream.getvalue() == ""  # waiting in memory
        handler.handle(_record(logging.WARNING, "third"))
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert [line["msg"] for line in lines] == ["first", "second", "third"]
        handler.handle(_record(logging.INFO, "fourth"))
    finally:
        handler.close()
    assert json.loads(stream.getvalue().splitlines()[-1])["msg"] == "fourth"  # closing writes the rest


def test_waiting_lines_are_written_within_the_interval_and_when_the_buffer_fills() -> None:
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream, interval=0.05, max_buffered=10_000)
    try:
        handler.handle(_record(logging.INFO, "soon"))
        deadline = time.monotonic() + 5
        while "soon" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stream.getvalue() == "soon\n"
    finally:
        handler.close()
    full = io.StringIO()
    handler = BatchingStreamHandler(full, interval=60, max_buffered=100)
    try:
        for i in range(30):
            handler.handle(_record(logging.INFO, f"line {i:02d}"))
        written = full.getvalue().splitlines()
        assert 10 <= len(written) < 30  # written once 100 characters waited, not at the end
        assert written == [f"line {i:02d}" for i in range(len(written))]
    finally:
        handler.close()


def test_closing_stops_the_flushing_thread() -> None:
    handler = BatchingStreamHandler(io.StringIO(), interval=0.01)
    handler.close()
    handler._flusher.join(timeout=5)
    assert not handler._flusher.is_alive()
