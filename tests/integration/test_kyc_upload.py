"""The KYC upload page through the real webhook and pages: Profile & security → a one-time link
→ two documents checked by content, stored encrypted with a TTL, queued for staff; a file that
isn't what its name says is refused beside its field and nothing is kept; a photo sent into the
chat is not kept and the reply links to the page."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from PIL import Image

from app import Services
from auth.kyc.requests import QUEUE_KEY, REQUEST_KEY
from auth.kyc.vault import DOC_KEY
from bot.messenger import OutboxMessenger
from tests import kyc_files
from tests.conftest import AMINA, stores_bytes
from tests.conversations.test_identity_journeys import register_amina
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DAYS_30 = 30 * 24 * 3600


def upload_link(whatsapp: WhatsApp, secure: SecurePages) -> str:
    register_amina(whatsapp, secure)
    assert "7 Upgrade KYC level" in whatsapp.send(AMINA, "profile").text
    reply = whatsapp.send(AMINA, "7").text
    assert "KYC level 3" in reply and "works for 15 minutes" in reply
    return link_in(reply)


def post_files(
    client: FlaskClient, path: str, files: dict[str, tuple[bytes, str]]
) -> tuple[int, str]:
    page = client.get(path).get_data(as_text=True)
    token = _CSRF.search(page)
    assert token, page
    data: dict[str, object] = {"csrf_token": token.group(1)}
    for slot, (content, name) in files.items():
        data[slot] = (io.BytesIO(content), name)
    response = client.post(path, data=data, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_documents_are_kept_encrypted_with_a_ttl_and_queued(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    path = upload_link(whatsapp, secure)
    photo = kyc_files.photo()
    bill = kyc_files.pdf("AMINA-UTILITY-BILL-4471")
    status, text = post_files(
        secure.client, path, {"identity": (photo, "id.jpg"), "address": (bill, "bill.pdf")}
    )
    assert status == 200 and "We have your documents" in text
    [request] = services.kyc.queue()
    assert (request.customer_id, request.from_level, request.to_level) == ("C001", 2, 3)
    assert request.liveness == "manual_review"
    # The documents are in Redis only sealed: neither the plain bytes nor a telling part.
    raw = stores_bytes(services.config)
    for key in raw.scan_iter("*"):
        kind = raw.type(key)
        value: bytes
        if kind == b"string":
            value = bytes(raw.get(key) or b"")
        elif kind == b"hash":
            pairs: dict[bytes, bytes] = raw.hgetall(key)  # type: ignore[assignment]
            value = b"".join(k + v for k, v in pairs.items())
        else:
            continue
        assert b"AMINA-UTILITY-BILL-4471" not in value and bill[:200] not in value
        assert photo[-200:] not in value
    for slot in ("identity", "address"):
        ttl = raw.ttl(DOC_KEY.format(request_id=request.request_id, slot=slot))
        assert DAYS_30 - 60 < ttl <= DAYS_30
    assert raw.ttl(REQUEST_KEY.format(request_id=request.request_id)) > DAYS_30 - 60
    assert raw.zcard(QUEUE_KEY) == 1
    # What staff will see is the cleaned photo (no EXIF) and the PDF as sent.
    stored = services.kyc.document(request, "identity", actor="test")
    assert stored is not None
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {} and image.format == "JPEG"
    assert services.kyc.document(request, "address", actor="test") == bill
    # The chat hears the documents arrived; the link is used up.
    told = [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "whatsapp"]
    assert any("received your documents for KYC level 3" in body for body in told)
    assert secure.get(path).status == 404


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    path = upload_link(whatsapp, secure)
    status, text = post_files(
        secure.client,
        path,
        {
            "identity": (kyc_files.TEXT_AS_PNG, "passport.png"),
            "address": (kyc_files.encrypted_pdf(), "bill.pdf"),
        },
    )
    assert status == 400
    assert 'id="identity-problem"' in text and "isn&#39;t a JPEG, PNG or PDF" in text
    assert 'id="address-problem"' in text and "protected with a password" in text
    assert services.kyc.queue() == []
    assert list(services.rq_redis.scan_iter("teller:kyc:doc:*")) == []
    # The link still works: the customer chooses better files.
    status, _ = post_files(
        secure.client,
        path,
        {"identity": (kyc_files.photo(), "id.jpg"), "address": (kyc_files.pdf(), "a.pdf")},
    )
    assert status == 200 and len(services.kyc.queue()) == 1


def test_a_second_upload_waits_for_the_first_review(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    path = upload_link(whatsapp, secure)
    files = {"identity": (kyc_files.photo(), "id.jpg"), "address": (kyc_files.pdf(), "a.pdf")}
    assert post_files(secure.client, path, files)[0] == 200
    again = link_in(whatsapp.send(AMINA, "upgrade kyc").text)
    page = secure.get(again)
    assert page.status == 200 and "Your documents are being checked" in page.text
    assert len(services.kyc.queue()) == 1


def test_over_the_upload_limit_is_refused_and_other_pages_keep_64_kb(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    path = upload_link(whatsapp, secure)
    big = b"%PDF-" + b"0" * (6 * 1024 * 1024)
    status, text = post_files(
        secure.client, path, {"identity": (big, "a.pdf"), "address": (big, "b.pdf")}
    )
    assert status == 413 and "larger than 10 MB" in text
    status, text = post_files(
        secure.client, path, {"identity": (big, "a.pdf"), "address": (kyc_files.pdf(), "b.pdf")}
    )
    assert status == 400 and "larger than 5 MB" in text
    assert services.kyc.queue() == []
    login = secure.client.post("/secure/login/x", data={"pin": "1" * 70_000})
    assert login.status_code == 413


def test_a_photo_in_the_chat_is_not_kept_and_the_reply_links_to_the_page(
    whatsapp: WhatsApp, secure: SecurePages
) -> None:
    register_amina(whatsapp, secure)
    reply = whatsapp.send(AMINA, "", NumMedia="1", MediaUrl0="https://api.twilio.com/x.jpg")
    assert "I don't keep photos or files sent in this chat" in reply.text
    assert "/secure/kyc/" in reply.text
    page = secure.get(link_in(reply.text))
    assert page.status == 200 and "Upgrade to KYC level 3" in page.text
