"""/verify through the Flask test client: the neutral answer for unknown references and bad
tags alike, CSRF, and the per-address rate limit (which fails closed)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from app import Services
from receipts import verification
from tests.documents import transfer
from workers.sources import receipt_for

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def check(client: FlaskClient, code: str) -> tuple[int, str]:
    page = client.get("/verify").get_data(as_text=True)
    token = _CSRF.search(page)
    assert token is not None
    response = client.post("/verify", data={"code": code, "csrf_token": token.group(1)})
    return response.status_code, response.get_data(as_text=True)


def test_genuine_unknown_and_forged_codes(client: FlaskClient, services: Services) -> None:
    record = services.bank.transfer_record(transfer(services, "verify-1"))
    assert record is not None
    code = verification.code_for(
        receipt_for(services.bank, record, services.bank_name), services.verify_key
    )
    status, page = check(client, code)
    assert status == 200 and "This receipt is genuine" in page and "USD 150.00" in page
    unknown = "TX000000" + code[len(record.reference) :]
    forged = code[:-1] + ("2" if code[-1] != "2" else "3")
    answers = {check(client, c)[1].split('id="verdict"')[1][:200] for c in (unknown, forged, "x")}
    assert len(answers) == 1 and "We can't confirm this receipt" in answers.pop()


def test_a_post_without_csrf_is_refused(client: FlaskClient) -> None:
    assert client.post("/verify", data={"code": "TX00000000000000000000000"}).status_code == 400


def test_checks_are_limited_per_address(client: FlaskClient) -> None:
    statuses = [check(client, "TX12345678-2222-2222-2222-2222")[0] for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
    assert client.get("/verify").status_code == 200  # the form itself stays available
