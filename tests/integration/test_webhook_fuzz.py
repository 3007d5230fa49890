"""The webhook under Hypothesis (SECURITY.md 4): Twilio-signed requests with arbitrary fields,
bodies, encodings (form or multipart; raw bytes whatever they decode to) and sequences of
messages from several customers, with the clock moving between them. Never a 500, never the
"something went wrong" reply or an error logged, and after any sequence ``cancel`` then
``menu`` gets the menu: no state traps a customer.

State carries over between examples (one Redis per test), so later sequences start from
whatever earlier ones left: that is the point.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask, request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import Services
from flows.responses import CATALOG
from tests.conftest import AMINA, BASE_URL, STRANGER
from tests.fakes import FrozenClock
from tests.helpers import PATH, WhatsApp, new_sid, parse_twiml

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TUNDE = "+2348030000002"
CUSTOMERS = [AMINA, TUNDE, "+2348030000003"]
SENDERS = [*CUSTOMERS, STRANGER]
UNEXPECTED = CATALOG["error.unexpected"][:40]
WORDS = [
    "hi", "menu", "help", "cancel", "logout", "yes", "no", "YES", " Yes ", "retry",
    *[str(n) for n in range(0, 13)],
    "balance", "bal", "statement", "statement pdf", "transfer", "pay bill", "cards", "profile",
    "open wallet", "send 150 to Chidi", "send 1e9 to Chidi", "send -5 to 1",
    "pay ELEC 12345678901 50",
    "150", "150.005", "0", "-1", "1,000.00", "NaN", "Infinity", "000000", "123456", "9" * 40,
    "October 2026", "13/2026", "from current", "new payee", "0987654321", "044",
]  # fmt: skip
BODIES = (
    st.sampled_from(WORDS)
    | st.text(max_size=80)
    | st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000)
    | st.sampled_from(["\x00", "\u202e", "😀" * 50, "<Response>", "]]>", "%00", "\r\n\r\n"])
)
FIELD_NAMES = st.sampled_from(
    ["NumMedia", "ProfileName", "WaId", "To", "ButtonPayload", "ButtonText", "ListId",
     "MediaUrl0", "MediaContentType0", "Latitude", "OriginalRepliedMessageSid", "SmsStatus"]
) | st.text(  # names Twilio could send: any letter or digit, "_" and "-"
    alphabet=st.characters(categories=("L", "N"), include_characters="_-"), min_size=1, max_size=20
)  # fmt: skip
EXTRA = st.dictionaries(FIELD_NAMES, st.text(max_size=40), max_size=3)
STEP = st.tuples(
    st.sampled_from(SENDERS),
    BODIES,
    EXTRA,
    st.integers(0, 400),  # seconds the clock moves before the message (sessions are 5 min)
    st.booleans(),  # multipart instead of urlencoded
    st.booleans(),  # sent again with the same MessageSid (Twilio's retry)
)


def post(whatsapp: WhatsApp, form: dict[str, str], multipart: bool) -> tuple[int, str]:
    content_type = "multipart/form-data" if multipart else "application/x-www-form-urlencoded"
    response = whatsapp.client.post(
        PATH,
        data=form,
        content_type=content_type,
        headers={"X-Twilio-Signature": whatsapp.sign(form)},
    )
    assert response.status_code in (200, 400), (form, response.status_code)
    return response.status_code, response.get_data(as_text=True)


def assert_handled(status: int, xml: str) -> None:
    if status == 200:
        for message in parse_twiml(xml):
            assert UNEXPECTED not in message, xml


def menu_after_cancel(whatsapp: WhatsApp, sender: str) -> str:
    whatsapp.send(sender, "cancel")
    reply = whatsapp.send(sender, "menu")
    assert reply.status == 200
    return reply.text


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert bad == []


@FUZZ
@given(st.lists(STEP, min_size=1, max_size=8))
def test_any_sequence_of_signed_messages_is_handled_and_cancel_then_menu_recovers(
    whatsapp: WhatsApp,
    services: Services,
    clock: FrozenClock,
    errors: pytest.LogCaptureFixture,
    steps: list[tuple[str, str, dict[str, str], int, bool, bool]],
) -> None:
    services.auth.sessions.create(AMINA, clock())  # so the secured flows go deep too
    for sender, body, extra, seconds, multipart, again in steps:
        clock.advance(seconds=seconds)
        form = whatsapp.form(sender, body)
        form.update(extra)
        status, xml = post(whatsapp, form, multipart)
        assert_handled(status, xml)
        if again:
            assert post(whatsapp, form, multipart) == (status, xml)  # the first reply, again
    for sender in {s for s, *_ in steps}:
        menu = menu_after_cancel(whatsapp, sender)
        if sender in CUSTOMERS:
            assert menu.startswith("Welcome to Demo Bank"), (sender, menu)
            assert "1 Balance" in menu
        else:
            assert menu == whatsapp.send(f"+4477009{len(steps):05d}", "menu").text
    no_errors_logged(errors)


def _signed_raw(app: Flask, whatsapp: WhatsApp, raw: bytes, query: str) -> str:
    """The signature Twilio would send for the form Flask parses out of ``raw``."""
    path = PATH + (f"?{query}" if query else "")
    with app.test_request_context(
        path, method="POST", data=raw, content_type="application/x-www-form-urlencoded"
    ):
        form: Any = request.form
        return str(
            whatsapp.validator.compute_signature(BASE_URL + request.full_path.rstrip("?"), form)
        )


@FUZZ
@given(
    st.binary(max_size=300)
    | st.builds(
        lambda body, junk: (
            f"From=whatsapp%3A%2B2348030000001&MessageSid={new_sid()}&Body=".encode() + body + junk
        ),
        st.binary(max_size=100),
        st.sampled_from([b"", b"&Body=2", b"&NumMedia=99", b"&&&==", b"&From=x"]),
    ),
    st.sampled_from(["", "a=1", "From=whatsapp:+2348030000002", "%zz"]),
)
def test_raw_bodies_in_any_encoding_never_fail(
    app: Flask, whatsapp: WhatsApp, errors: pytest.LogCaptureFixture, raw: bytes, query: str
) -> None:
    signature = _signed_raw(app, whatsapp, raw, query)
    response = whatsapp.client.post(
        PATH + (f"?{query}" if query else ""),
        data=raw,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code in (200, 400, 403), response.status_code
    assert_handled(response.status_code, response.get_data(as_text=True))
    no_errors_logged(errors)


STATUS_FIELDS = st.fixed_dictionaries(
    {
        "MessageSid": st.sampled_from([new_sid(), "SM" + "0" * 32]) | st.text(max_size=40),
        "MessageStatus": st.sampled_from(["sent", "delivered", "failed", "undelivered", "read"])
        | st.text(max_size=12),
    },
    optional={"ErrorCode": st.sampled_from(["", "63016", "30008"]) | st.text(max_size=8)},
)


@FUZZ
@given(STATUS_FIELDS, EXTRA)
def test_any_signed_status_callback_is_handled(
    whatsapp: WhatsApp,
    errors: pytest.LogCaptureFixture,
    fields: dict[str, str],
    extra: dict[str, str],
) -> None:
    form = {**extra, **fields}
    path = "/whatsapp/status"
    signature = whatsapp.sign(form, url=BASE_URL + path)
    response = whatsapp.client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code in (204, 400), response.status_code
    no_errors_logged(errors)


@pytest.mark.parametrize("path", [PATH, "/whatsapp/status"])
def test_a_multipart_part_without_a_name_is_refused_not_a_500(
    whatsapp: WhatsApp, services: Services, path: str
) -> None:
    """Werkzeug reads a part without a name as a field named None, which Twilio's validator
    can't sort: the signature check raised TypeError (a 500, before any signature was
    checked). It now fails closed: 403, nothing changed."""
    body = (
        b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
        b'--XyZ\r\nContent-Disposition: form-data; name="Body"\r\n\r\nhi\r\n--XyZ--\r\n'
    )
    response = whatsapp.client.post(
        path,
        data=body,
        content_type="multipart/form-data; boundary=XyZ",
        headers={"X-Twilio-Signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
    )
    assert response.status_code == 403
    assert not services.redis.keys("teller:{+*")
