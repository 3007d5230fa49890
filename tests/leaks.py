"""Where a secret could leak during a test run, gathered as text to search (SECURITY.md 20, 22,
26): every log record of every logger at DEBUG (formatted with its traceback), the audit
stream, every RQ key (job data decompressed: RQ stores it zlib-compressed) and the body of every
error page the app served.

``LogCapture`` attaches one handler to the root logger and lowers the loggers a run touches
(Flask's, werkzeug's, RQ's, Teller's) to DEBUG; RQ's worker sees the root handler and so keeps
propagating instead of installing its own. ``ErrorPages`` listens to Flask's
``request_finished`` signal, so it sees the pages whatever client asked.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request, request_finished
from redis import Redis

from auth.stores.audit import AUDIT_STREAM

LOGGERS = ("", "flask.app", "werkzeug", "rq", "rq.worker", "rq.queue", "teller", "gunicorn")


class LogCapture(logging.Handler):
    """Every record, formatted with its exception and stack, as one text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def captured_logs(app: Flask) -> Iterator[LogCapture]:
    capture = LogCapture()
    names = {*LOGGERS, app.logger.name}
    saved = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger().addHandler(capture)
    try:
        yield capture
    finally:
        logging.getLogger().removeHandler(capture)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@dataclass
class ErrorPage:
    path: str
    status: int
    body: str


@dataclass
class ErrorPages:
    """The body of every answer with a status of 400 or more."""

    pages: list[ErrorPage] = field(default_factory=list)

    def listen(self, app: Flask) -> ErrorPages:
        request_finished.connect(self._finished, app)
        return self

    def _finished(self, sender: Flask, response: Response, **extra: Any) -> None:
        if response.status_code < 400 or response.direct_passthrough:
            return
        self.pages.append(
            ErrorPage(request.path, response.status_code, response.get_data(as_text=True))
        )


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        raw: bytes = value
        with suppress(zlib.error):
            raw = zlib.decompress(value)
        return raw.decode("utf-8", "replace")
    return str(value)


def redis_text(redis: Redis, pattern: str = "*") -> str:
    """Every key and value matching ``pattern``, whatever its type, as text."""
    out: list[str] = []
    for key in redis.scan_iter(match=pattern, count=1000):
        kind = _text(redis.type(key))
        out.append(_text(key))
        if kind == "string":
            out.append(_text(redis.get(key)))
        elif kind == "hash":
            out.extend(f"{_text(k)}={_text(v)}" for k, v in redis.hgetall(key).items())
        elif kind == "list":
            out.extend(_text(v) for v in redis.lrange(key, 0, -1))
        elif kind == "set":
            out.extend(_text(v) for v in redis.smembers(key))
        elif kind == "zset":
            out.extend(_text(v) for v in redis.zrange(key, 0, -1))
        elif kind == "stream":
            for _, fields in redis.xrange(key):
                out.extend(f"{_text(k)}={_text(v)}" for k, v in fields.items())
    return "\n".join(out)


def audit_text(redis: Redis) -> str:
    return "\n".join(str(fields) for _, fields in redis.xrange(AUDIT_STREAM))


def found(secret: str, text: str) -> bool:
    """``secret`` as a whole token: a 6-digit code inside a hex digest is chance, not a leak."""
    pattern = rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])"
    return re.search(pattern, text) is not None


def leaks(secrets: dict[str, str], places: dict[str, str]) -> list[str]:
    """``"<what> (<value>) in <place>"`` for every secret found in every place."""
    return [
        f"{what} ({value!r}) in {place}"
        for what, value in secrets.items()
        for place, text in places.items()
        if value and found(value, text)
    ]
