"""Reading Twilio's ``Retry-After`` (delta-seconds or an HTTP date) and keeping it from the
answer the SDK turns into an exception: only a 429's or a 503's counts, per thread, and a call
that gets no answer asks for no wait."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from bot.twilio_http import RetryAfterHttp, retry_after_s

NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("Tue, 01 Dec 2026 12:00:30 GMT", 30.0),
        ("Tue, 01 Dec 2026 11:00:00 GMT", 0.0),  # a date gone by: no wait
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),  # not delta-seconds
    ],
)
def test_a_retry_after_value_is_read_as_seconds(value: str | None, wait: float | None) -> None:
    assert retry_after_s(value, NOW) == wait


class _Answers(HttpClient):  # type: ignore[misc]
    """Twilio's HTTP port answering from a list (the SDK's own interface, not a patch)."""

    def __init__(self, *answers: Response | Exception) -> None:
        super().__init__(None, False, 5)
        self.answers = list(answers)

    def request(self, *args: Any, **kwargs: Any) -> Response:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_only_a_429_or_503_answer_leaves_a_wait_and_the_next_call_clears_it() -> None:
    http = RetryAfterHttp(
        _Answers(
            Response(429, "{}", {"Retry-After": "9"}),
            Response(503, "{}", {"Retry-After": "4"}),
            Response(500, "{}", {"Retry-After": "4"}),
            Response(201, "{}", {}),
            Response(429, "{}", {}),
            Response(429, "{}", {"Retry-After": "3"}),
            ConnectionResetError(),
        )
    )
    waits = []
    for _ in range(6):
        http.request("POST", "https://api.twilio.com/x")
        waits.append(http.retry_after())
    assert waits == [9.0, 4.0, None, None, None, 3.0]
    with pytest.raises(ConnectionResetError):
        http.request("POST", "https://api.twilio.com/x")
    assert http.retry_after() is None
    assert http.timeout == 5


def test_the_wait_is_kept_per_thread() -> None:
    http = RetryAfterHttp(_Answers(Response(429, "{}", {"Retry-After": "9"})))
    http.request("POST", "https://api.twilio.com/x")
    seen: list[float | None] = []
    other = threading.Thread(target=lambda: seen.append(http.retry_after()))
    other.start()
    other.join(10)
    assert seen == [None] and http.retry_after() == 9.0
