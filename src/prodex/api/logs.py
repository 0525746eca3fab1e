"""Structured logging: one JSON object per line on stderr, carrying the request id.

The request id of the request being served lives in :data:`request_id_var` (set by the
request-context middleware); every record logged while serving it carries it as ``rid``.
Pass structured values with ``logger.info("msg", extra={"fields": {...}})``.
"""

from __future__ import annotations

import logging
import sys
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

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON string."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
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


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    """Send prodex's and uvicorn's logs to stderr in the chosen format (idempotent).

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
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
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
