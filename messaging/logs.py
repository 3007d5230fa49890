"""Which request a log line belongs to, and the two line formats (JSON for production, text for
a terminal).

The web side opens a scope per request (``begin``/``end``: the request id, the route) and the
webhook adds the masked customer (``bind``); the worker opens one per job. ``install_context``
wraps the process's log record factory so every record made inside a scope carries those fields
and the milliseconds since the scope began, whichever logger made it (Flask's, gunicorn's,
Teller's). Outside a scope (start-up lines, the gunicorn master) a record has none of them,
unless its caller passes them (gunicorn's access line: the id from the reply's header).

It sits at the bottom of the layers so the edge (``bot``), the jobs (``workers``) and the
composition root (``app``) share one context. Values put here are already safe to log: a masked
number (``messaging.masking``), never a raw one; the redaction of one-time tokens in URLs is a
separate record factory (``bot.access_log``) that applies on top.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# The fields every record carries (empty strings outside a request or job).
FIELDS = ("request_id", "route", "customer")


class _Scope:
    __slots__ = ("fields", "started", "summarized")

    def __init__(self, fields: Mapping[str, str], started: float) -> None:
        self.fields = dict(fields)
        self.started = started
        self.summarized = False  # a line saying how the request went was written (``summarized``)


_scope: ContextVar[_Scope | None] = ContextVar("teller_log_scope", default=None)


def begin(**fields: str) -> Token[_Scope | None]:
    """Open a request's (or job's) scope; ``end`` it with the token returned."""
    return _scope.set(_Scope(fields, time.perf_counter()))


def end(token: Token[_Scope | None]) -> None:
    _scope.reset(token)


def bind(**fields: str) -> None:
    """Add fields to the open scope (the webhook's masked customer); ignored outside one."""
    scope = _scope.get()
    if scope is not None:
        scope.fields.update(fields)


def summarized() -> None:
    """The open scope's request has had its one summary line (the webhook's per-message line):
    the request's closing line (``app.observability``) would say it again, and is left out
    when the request succeeds. Ignored outside a scope."""
    scope = _scope.get()
    if scope is not None:
        scope.summarized = True


def is_summarized() -> bool:
    """Whether ``summarized`` was called in the open scope."""
    scope = _scope.get()
    return scope is not None and scope.summarized


def current() -> dict[str, str]:
    """The open scope's fields ({} outside one)."""
    scope = _scope.get()
    return dict(scope.fields) if scope is not None else {}


def elapsed_ms() -> float | None:
    """Milliseconds since the open scope began (None outside one)."""
    scope = _scope.get()
    return None if scope is None else round((time.perf_counter() - scope.started) * 1000, 1)


@contextmanager
def scope(**fields: str) -> Iterator[None]:
    token = begin(**fields)
    try:
        yield
    finally:
        end(token)


def _add_context(record: logging.LogRecord) -> None:
    found = _scope.get()
    if found is None:  # outside a scope a caller may still pass these as ``extra``
        return
    for name in FIELDS:
        setattr(record, name, found.fields.get(name, ""))
    record.duration_ms = round((time.perf_counter() - found.started) * 1000, 1)


def install_context() -> None:
    """Make every record this process creates carry the scope's fields (idempotent)."""
    make = logging.getLogRecordFactory()
    if getattr(make, "teller_context", False):
        return

    def with_context(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _add_context(record)
        return record

    with_context.teller_context = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(with_context)


def wants_json(environ: Mapping[str, str] | None = None) -> bool:
    """``LOG_FORMAT`` (json or text); unset, json in production and text in development.
    ``app.config`` validates the value; gunicorn's logger class asks here before the app exists."""
    env = os.environ if environ is None else environ
    chosen = (env.get("LOG_FORMAT") or "").strip().lower()
    if chosen in ("json", "text"):
        return chosen == "json"
    return (env.get("TELLER_ENV") or "").strip() == "production"


class JsonLines(JsonFormatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the scope's fields
    when there are some, any ``extra`` given, and the traceback as text."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )

    def format(self, record: logging.LogRecord) -> str:
        # A redacted traceback (bot.access_log) is in exc_text: the library would format
        # exc_info again, from the unredacted frames, unless exc_info is out of its way.
        if record.exc_info and record.exc_text:
            saved = record.exc_info
            record.exc_info = None
            try:
                return super().format(record)
            finally:
                record.exc_info = saved
        return super().format(record)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # Outside a request or job the scope's fields say nothing: leave them out.
        for name in (*FIELDS, "duration_ms"):
            if log_data.get(name) in ("", None):
                log_data.pop(name, None)
        return log_data


class TextLines(logging.Formatter):
    """The terminal's format, with the request id and route when there are some."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", "")
        if not rid:
            return line
        head, _, rest = line.partition("\n")
        took = getattr(record, "duration_ms", None)
        where = " ".join(
            part
            for part in (
                f"[{rid[:12]}",
                getattr(record, "route", ""),
                getattr(record, "customer", ""),
                f"{took} ms]" if took is not None else "]",
            )
            if part
        )
        return f"{head} {where}" + (f"\n{rest}" if rest else "")


def formatter(json_lines: bool) -> logging.Formatter:
    return JsonLines() if json_lines else TextLines()
