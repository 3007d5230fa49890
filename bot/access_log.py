"""Gunicorn's access log without the secrets some URLs carry: one-time link tokens
(``/secure/<purpose>/<token>``), media tokens (``/media/<token>``), claim tokens
(``/claim/<token>``) and the console's set-up links (``/admin/setup/<token>``) are written as
``…``. Everything else in the line stays, so requests can still be counted and traced.
``make web`` and the Procfile run gunicorn with this logger class; ``make run``'s development
server gets ``RedactingFilter`` (and ``QuietPolling``, so the simulator's outbox polling doesn't
fill the log).

Every other log record (Flask's ``Exception on /secure/login/<token> [POST]``, gunicorn's error
log, Teller's own loggers) goes through ``redact`` too: ``install_redaction`` (called by the app
factory and the worker) wraps the process's log record factory, so no logger, handler or
formatter added later can miss it (SECURITY.md 20).
"""

from __future__ import annotations

import logging
import re
import traceback
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from messaging import logs

# The staff console's set-up links (/admin/setup/<token>) are one-time secrets too.
_SECRET_SEGMENT = re.compile(r"(/(?:secure/[a-z]+|media|claim|admin/setup)/)[^/?#\s\"]+")


def redact(text: str) -> str:
    """``/secure/login/k3F…`` → ``/secure/login/…``; other paths unchanged."""
    return _SECRET_SEGMENT.sub(r"\1…", text)


def _redact_record(record: logging.LogRecord) -> None:
    """The record's message, traceback and stack without secret URL segments; a record with
    nothing to redact is left as it is (its ``args`` still there for filters)."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format call: logging reports it when a handler formats it
        return
    # Every secret segment follows a "/": most lines (the webhook's) have none to look for.
    if "/" in message and redact(message) != message:
        record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_text is None:
        text = logging.Formatter().formatException(record.exc_info)
        if redact(text) != text:
            record.exc_text = redact(text)  # formatters use exc_text when it is set
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install_redaction() -> None:
    """Make every log record this process creates pass through ``redact`` (idempotent)."""
    make = logging.getLogRecordFactory()
    if getattr(make, "teller_redacting", False):
        return

    def redacting(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _redact_record(record)
        return record

    redacting.teller_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting)


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
    """Gunicorn's logger with redacted atoms; with ``LOG_FORMAT=json`` (production's default)
    its error and access lines are JSON lines too, each access line with the request's id (the
    reply's ``X-Request-Id``) and duration, like the app's own lines."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        install_redaction()
        if logs.wants_json():
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.setFormatter(logs.JsonLines())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not logs.wants_json():
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        rid = next((v for k, v in resp.headers if k.lower() == "x-request-id"), "")
        extra = {
            "request_id": rid,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "status": atoms.get("s"),
        }
        try:
            self.access_log.info(
                self.cfg.access_log_format, self.atoms_wrapper_class(atoms), extra=extra
            )
        except Exception:  # gunicorn's own policy: a bad access format never fails a request
            self.error(traceback.format_exc())

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
