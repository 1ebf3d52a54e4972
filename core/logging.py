"""Structured logs: one JSON object per line, with the request id of the HTTP request that
caused it, and secrets redacted.

:func:`configure_logging` installs the formatter on the root logger (and uvicorn's), and
:data:`request_id` carries the id through a request (the API middleware sets it from the
``X-Request-ID`` header or a fresh one). :class:`RedactingFilter` replaces API keys
(``cm_<prefix>_<secret>``), bearer tokens, passwords in URLs and ``secret``/``password``
fields before anything is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "RedactingFilter", "configure_logging", "redact", "request_id"]

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_PATTERNS = (
    # an API key wherever it stands ("key=cm_...", "x_cm_..."), its token holding "_" or "-"
    (re.compile(r"(?<![A-Za-z0-9])cm_[A-Za-z0-9]+_[A-Za-z0-9_\-]{8,}"), "cm_[REDACTED]"),
    (re.compile(r"(?i)\b(bearer)\s+[\w.~+/\-]+=*"), r"\1 [REDACTED]"),
    (re.compile(r"(?i)(://[^:/@\s]+:)[^@\s]+@"), r"\1[REDACTED]@"),
    (
        re.compile(
            r"""(?i)(["']?(?:password|secret|api_key|token)["']?\s*[:=]\s*["']?)[^"',\s}]+"""
        ),
        r"\1[REDACTED]",
    ),
)
_STANDARD = set(vars(logging.makeLogRecord({})))


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Redacts secrets in the message and its arguments of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": request_id.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out and not key.startswith("_"):
                out[key] = (
                    value if isinstance(value, int | float | bool | None) else redact(str(value))
                )
        if record.exc_info:
            out["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for our loggers and uvicorn's, secrets redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
