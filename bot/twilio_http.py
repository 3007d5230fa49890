"""Twilio's HTTP client, wrapped to keep what Twilio's SDK drops: the ``Retry-After`` of a 429
or 503 answer.

The SDK turns an error answer into ``TwilioRestException`` (status, code, message) and forgets
its headers, yet Twilio says in ``Retry-After`` how long to wait before trying again. This
wrapper passes every call to the client it wraps (Twilio's own ``TwilioHttpClient`` by default:
its session, its timeout) and remembers, per thread, the wait the last answer asked for, so
``TwilioMessenger`` can put it on the ``MessengerError`` and a job's retry can honour it.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response

ASKS_TO_WAIT = frozenset({429, 503})  # the statuses whose Retry-After means "not before"


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date, RFC 9110
    10.2.3); None when absent or unreadable. A date in the past is 0."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdecimal():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterHttp(HttpClient):  # type: ignore[misc]
    """Every request goes to ``inner``; the answer's Retry-After (429/503) is kept per thread."""

    def __init__(self, inner: HttpClient) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), False, inner.timeout)
        self.inner = inner
        self._last = threading.local()

    def request(self, *args: Any, **kwargs: Any) -> Response:
        self._last.wait = None  # a call that raises (reset, timeout) asked for nothing
        response: Response = self.inner.request(*args, **kwargs)
        if response.status_code in ASKS_TO_WAIT:
            headers = response.headers or {}
            self._last.wait = retry_after_s(headers.get("Retry-After"))
        return response

    def retry_after(self) -> float | None:
        """The wait the last answer on this thread asked for, if it did."""
        wait: float | None = getattr(self._last, "wait", None)
        return wait
