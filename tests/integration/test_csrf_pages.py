"""A form post to ``/verify`` or ``/claim/<token>`` without a valid CSRF token gets the page's
own "this form has expired" answer (400, the pages' headers, no-store), never Flask's default
error page."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from auth.pages.protection import SECURITY_HEADERS

CLAIM = "/claim/k3Fq9x-Zr8_sl2PQ0aBcDeFgHiJkLmNoPq"


@pytest.mark.parametrize(
    ("path", "form", "says"),
    [
        ("/verify", {"code": "TX00000000-0000-0000-0000-0000"}, "open this page again"),
        ("/verify", {"code": "TX0", "csrf_token": "forged"}, "open this page again"),
        (CLAIM, {}, "open the link in your message again"),
        (CLAIM, {"csrf_token": "forged"}, "open the link in your message again"),
    ],
)
def test_an_expired_form_gets_the_pages_own_answer(
    client: FlaskClient, path: str, form: dict[str, str], says: str
) -> None:
    response = client.post(path, data=form)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "expired" in page and says in page
    assert "Bad Request" not in page and "The CSRF token" not in page  # not Flask's page
    assert "secure.css" in page  # the pages' own look (secure/base.html)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert response.headers["Cache-Control"] == "no-store"


def test_the_expired_verify_page_offers_a_fresh_form(client: FlaskClient) -> None:
    page = client.post("/verify", data={"code": "TX0"}).get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'id="check"' in page
