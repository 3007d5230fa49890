"""A multipart body with a part that has no name is refused as unreadable (400) by every page
that takes forms — never a 500 (Flask-WTF's CSRF lookup failed on it)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

NAMELESS = b"--XX\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--XX--\r\n"
NAMELESS_FILE = (
    b'--XX\r\nContent-Disposition: form-data; filename="a.png"\r\n'
    b"Content-Type: image/png\r\n\r\nabc\r\n--XX--\r\n"
)


@pytest.mark.parametrize("body", [NAMELESS, NAMELESS_FILE])
@pytest.mark.parametrize(
    "path",
    [
        "/admin/login",
        "/admin/logout",
        "/admin/setup/unknown-token",
        "/secure/login/unknown-token",
        "/secure/register/unknown-token/code",
        "/secure/kyc/unknown-token",
        "/claim/unknown-token",
        "/verify",
    ],
)
def test_a_nameless_part_is_refused_not_a_500(client: FlaskClient, path: str, body: bytes) -> None:
    answer = client.post(path, data=body, content_type="multipart/form-data; boundary=XX")
    assert answer.status_code in (400, 404, 405), answer.status_code
    assert "<title>400 Bad Request</title>" not in answer.get_data(as_text=True)  # our own page


@pytest.mark.parametrize("body", [NAMELESS, NAMELESS_FILE])
def test_a_nameless_part_to_the_webhook_is_unsigned(client: FlaskClient, body: bytes) -> None:
    answer = client.post(
        "/whatsapp/inbound",
        data=body,
        content_type="multipart/form-data; boundary=XX",
        headers={"X-Twilio-Signature": "c2lnbmVk"},
    )
    assert answer.status_code == 403
