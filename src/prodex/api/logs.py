"""Structured logging: one JSON object per line on stderr (readable lines in a terminal), carrying
the request id.

The request id of the request being served lives in :data:`request_id_var` (set by the
request-context middleware); every record logged while serving it carries it as ``rid``.
Pass structured values with ``logger.info("msg", extra={"fields": {...}})``.

Lines below WARNING (the access log above all: one line per request) are written in batches,
at the latest every :data:`FLUSH_INTERVAL_SECONDS`, instead of one write to stderr per line (as
nginx buffers its access log); a WARNING or worse writes itself and everything before it at
once, and so does the interpreter's exit. A process killed outright loses at most that last
fraction of a second of INFO lines.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

#: The id of the request this task is serving ("-" outside a request).
request_id_var: ContextVar[str] = ContextVar("prodex_request_id", default="-")

_HANDLER_NAME = "prodex-stderr"


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every record as ``record.rid``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach ``rid`` and keep the record."""
        record.rid = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message, rid, fields, exception."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def timestamp(self, created: float) -> str:
        """``created`` as ISO 8601 UTC with milliseconds, e.g. ``2026-11-26T22:09:05.123+00:00``
        (the date and time of day are formatted once per second)."""
        second = int(created)
        micros = round((created - second) * 1_000_000)  # as datetime rounds a timestamp
        if micros == 1_000_000:
            second, micros = second + 1, 0
        if second != self._second:
            self._second_text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = second
        return f"{self._second_text}.{micros // 1000:03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON string."""
        entry: dict[str, Any] = {
            "ts": self.timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "rid": getattr(record, "rid", "-"),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """A readable one-line format for development: time level logger [rid] message key=value."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a line of text."""
        line = (
            f"{self.formatTime(record)} {record.levelname:<7} {record.name} [{getattr(record, 'rid', '-')}] "
        )
        line += record.getMessage()
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


#: Longest time an INFO line waits in :class:`BatchingStreamHandler` before it is written.
FLUSH_INTERVAL_SECONDS = 0.2


class BatchingStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that writes lines below WARNING in batches (see the module docstring).

    Lines wait in memory until a WARNING or worse arrives, ``max_buffered`` characters are
    waiting, :meth:`flush` is called (a daemon thread does it every ``interval`` seconds), or
    the handler is closed (``logging.shutdown`` at exit).
    """

    def __init__(self, stream: Any, interval: float = FLUSH_INTERVAL_SECONDS, max_buffered: int = 64 * 1024):
        super().__init__(stream)
        self._lines: list[str] = []
        self._buffered = 0
        self._max_buffered = max_buffered
        self._stop = threading.Event()
        self._flusher = threading.Thread(
            target=self._flush_every, args=(interval,), name="prodex-log-flush", daemon=True
        )
        self._flusher.start()

    def emit(self, record: logging.LogRecord) -> None:
        """Format the record and queue its line (written at once from WARNING up)."""
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        self._lines.append(line)
        self._buffered += len(line)
        if record.levelno >= logging.WARNING or self._buffered >= self._max_buffered:
            self.flush()

    def flush(self) -> None:
        """Write every waiting line in one go."""
        with self.lock:  # type: ignore[union-attr]
            if self._lines:
                text = "".join(self._lines)
                self._lines.clear()
                self._buffered = 0
                with contextlib.suppress(OSError, ValueError):  # a broken or closed stream
                    self.stream.write(text)
                    self.stream.flush()

    def close(self) -> None:
        """Stop the flushing thread and write what is left."""
        self._stop.set()
        self.flush()
        super().close()

    def _flush_every(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.flush()


def wants_json(json_lines: bool | None) -> bool:
    """JSON lines when asked (PRODEX_LOG_JSON), else JSON unless stderr is a terminal."""
    if json_lines is not None:
        return json_lines
    try:
        return not sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return True


def configure_logging(level: str = "INFO", json_lines: bool | None = True) -> None:
    """Send prodex's and uvicorn's logs to stderr in the chosen format (idempotent).

    ``json_lines``: one JSON object per line (True), readable text (False), or None to choose by
    :func:`wants_json` (readable in a terminal, JSON when stderr is a file or a pipe).

    Records do not collect the caller's source line, thread or process names (the logging
    HOWTO's "Optimization" switches): none of them is in our format, and collecting them is
    most of the cost of a log call on the request path.
    """
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logAsyncioTasks = False  # type: ignore[attr-defined]
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = BatchingStreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if wants_json(json_lines) else TextFormatter())
    level_value = logging.getLevelName(level.upper())
    if not isinstance(level_value, int):
        level_value = logging.INFO
    logging.getLogger("prodex").setLevel(level_value)
    if root.level == logging.NOTSET or root.level > level_value:
        root.setLevel(level_value)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
