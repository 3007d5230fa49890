"""Gunicorn's access log without the secrets some URLs carry: one-time link tokens
(``/secure/<purpose>/<token>``), media tokens (``/media/<token>``) and claim tokens
(``/claim/<token>``) are written as ``…``. Everything else in the line stays, so requests can
still be counted and traced. ``make web`` and the Procfile run gunicorn with this logger class;
``make run``'s development server gets ``RedactingFilter`` (and ``QuietPolling``, so the
simulator's outbox polling doesn't fill the log).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

_SECRET_SEGMENT = re.compile(r"(/(?:secure/[a-z]+|media|claim)/)[^/?#\s\"]+")


def redact(text: str) -> str:
    """``/secure/login/k3F…`` → ``/secure/login/…``; other paths unchanged."""
    return _SECRET_SEGMENT.sub(r"\1…", text)


class RedactingFilter(logging.Filter):
    """The same for the development server's request lines (``werkzeug``'s logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


class QuietPolling(logging.Filter):
    """The simulator asks ``GET /dev/outbox`` every two seconds: those request lines are
    DEBUG-level noise, kept only when the development server's logger is set to DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        polling = isinstance(record.args, tuple) and any(
            isinstance(a, str) and a.startswith("GET /dev/outbox") for a in record.args
        )
        return not polling or logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


class RedactingLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
