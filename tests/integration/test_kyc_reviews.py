"""KYC reviews in the staff console: the queue, the review page (number masked, documents served
to staff only with their own type and disposition, each view audited), approve through the
``customer.kyc_level`` path (at once, or after a second admin with four eyes on) → the customer
told the new limits in the chat, and the next transfer uses them; reject → told why."""

from __future__ import annotations

import pytest
from flask import Flask

from admin.staff.roles import Role
from app import Services
from bot.messenger import OutboxMessenger
from tests import kyc_files
from tests.approvals import four_eyes_on
from tests.conftest import AMINA
from tests.console import console_as
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.integration.test_kyc_upload import post_files, upload_link
from tests.secure_pages import SecurePages, link_in

# Their stores on a single Redis, a Sentinel-managed master and a Redis Cluster.
pytestmark = pytest.mark.redis_topologies

PHOTO = kyc_files.photo()
BILL = kyc_files.pdf()


def uploaded(whatsapp: WhatsApp, secure: SecurePages, services: Services) -> str:
    path = upload_link(whatsapp, secure)
    files = {"identity": (PHOTO, "id.jpg"), "address": (BILL, "bill.pdf")}
    assert post_files(secure.client, path, files)[0] == 200
    [request] = services.kyc.queue()
    return request.request_id


def chat(outbox: OutboxMessenger) -> list[str]:
    return [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "whatsapp"]


def audit_events(services: Services, event: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in services.auth.audit.entries(count=200, event=event)]


def test_the_queue_the_review_page_and_the_documents(
    app: Flask,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
) -> None:
    request_id = uploaded(whatsapp, secure, services)
    console, staff = console_as(app, services, clock, Role.OPERATOR)
    queue = console.get("/admin/kyc/reviews").get_data(as_text=True)
    assert request_id in queue and "Amina Yusuf" in queue and "+234•••••0001" in queue
    assert "KYC reviews" in queue and AMINA not in queue
    review = console.get(f"/admin/kyc/reviews/{request_id}").get_data(as_text=True)
    assert "KYC level 2 → 3" in review and "USD 10,000.00 per transaction" in review
    assert "Manual review" in review and "No face-match or liveness service" in review
    assert f'src="/admin/kyc/reviews/{request_id}/documents/identity"' in review
    image = console.client.get(f"/admin/kyc/reviews/{request_id}/documents/identity")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert image.headers["Cache-Control"] == "no-store"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert kyc_files.CAMERA.encode() not in image.data  # the cleaned photo, not the upload
    pdf = console.client.get(f"/admin/kyc/reviews/{request_id}/documents/address")
    assert pdf.mimetype == "application/pdf" and pdf.data == BILL
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="{request_id}-address.pdf"'
    views = audit_events(services, "kyc.document.view")
    assert {(v["kind"], v["actor"], v["target"]) for v in views} == {
        ("identity", staff.username, request_id),
        ("address", staff.username, request_id),
    }
    assert console.get(f"/admin/kyc/reviews/{request_id}/documents/selfie").status_code == 404
    assert console.get("/admin/kyc/reviews/KYCNOSUCH").status_code == 404


def test_viewers_and_auditors_see_no_documents(
    app: Flask,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
) -> None:
    request_id = uploaded(whatsapp, secure, services)
    for role in (Role.VIEWER, Role.AUDITOR):
        console, _ = console_as(app, services, clock, role)
        assert console.get("/admin/kyc/reviews").status_code == 403
        assert console.get(f"/admin/kyc/reviews/{request_id}/documents/identity").status_code == 403
        refused = console.post(f"/admin/kyc/reviews/{request_id}", {"decision": "reject"})
        assert refused.status_code == 403
    assert audit_events(services, "kyc.document.view") == []
    anonymous = app.test_client().get(f"/admin/kyc/reviews/{request_id}/documents/identity")
    assert anonymous.status_code == 302


def test_approve_tells_the_customer_and_the_next_transfer_uses_the_new_limit(
    app: Flask,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
) -> None:
    request_id = uploaded(whatsapp, secure, services)
    console, staff = console_as(app, services, clock, Role.OPERATOR)
    path = f"/admin/kyc/reviews/{request_id}"
    console.get(path)
    refused = console.post(path, {"decision": "approve", "reason": ""})
    assert refused.status_code == 400 and 'id="reason-errors"' in refused.get_data(as_text=True)
    assert services.bank.customer("C001").kyc_level == 2
    done = console.post(path, {"decision": "approve", "reason": "ID and bill match the records"})
    assert done.status_code == 303
    assert services.bank.customer("C001").kyc_level == 3
    assert services.kyc.queue() == []
    told = chat(outbox)[-1]
    assert "you're now at KYC level 3" in told and "USD 10,000.00 a transfer" in told
    page = console.get(path).get_data(as_text=True)
    assert f"approved by {staff.username}" in page and 'id="decide"' not in page
    [entry] = audit_events(services, "customer.kyc_level")
    assert entry["after"] == "3" and entry["actor"] == staff.username
    assert request_id in entry["reason"]
    # The next transfer: 2,400 is over level 2's 2,000 a transfer, within level 3's.
    clock.advance(hours=25)  # past the cooling-off after registering
    secure.login(link_in(whatsapp.send(AMINA, "balance").text))
    for text in ("transfer", "5"):
        whatsapp.send(AMINA, text)
    summary = whatsapp.send(AMINA, "2400").text
    assert summary.startswith("Send *USD 2,400.00* to Chidi Okeke")


def test_reject_tells_the_customer_why_and_changes_nothing(
    app: Flask,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
) -> None:
    request_id = uploaded(whatsapp, secure, services)
    console, staff = console_as(app, services, clock, Role.OPERATOR)
    path = f"/admin/kyc/reviews/{request_id}"
    console.get(path)
    leaky = console.post(path, {"decision": "reject", "reason": "ID 12345678901 is blurred"})
    assert leaky.status_code == 400 and "12345678901" not in leaky.get_data(as_text=True)
    why = "the proof of address is older than 3 months"
    assert console.post(path, {"decision": "reject", "reason": why}).status_code == 303
    assert services.bank.customer("C001").kyc_level == 2
    told = chat(outbox)[-1]
    assert f"couldn't approve your KYC upgrade: {why}" in told and "Upgrade KYC level" in told
    [entry] = audit_events(services, "kyc.review")
    assert entry["decision"] == "rejected" and entry["actor"] == staff.username
    again = console.post(path, {"decision": "approve", "reason": "changed my mind"})
    assert again.status_code == 303 and services.bank.customer("C001").kyc_level == 2
    # A new request can be made.
    assert "Upgrade to KYC level 3" in secure.get(link_in(whatsapp.send(AMINA, "kyc").text)).text


def test_with_four_eyes_the_customer_is_told_once_a_second_admin_approves(
    app: Flask,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
) -> None:
    four_eyes_on(services)
    request_id = uploaded(whatsapp, secure, services)
    operator, _ = console_as(app, services, clock, Role.OPERATOR)
    path = f"/admin/kyc/reviews/{request_id}"
    operator.get(path)
    operator.post(path, {"decision": "approve", "reason": "documents match"})
    assert services.bank.customer("C001").kyc_level == 2
    waiting = operator.get(path).get_data(as_text=True)
    assert "waits for a second admin" in waiting
    before = len(chat(outbox))
    [pending] = services.changes.store.pending()
    admin, _ = console_as(app, services, clock, Role.ADMIN, "second.admin")
    admin.get(f"/admin/approvals/{pending.change_id}")
    approved = admin.post(f"/admin/approvals/{pending.change_id}/approve", {"note": "ok"})
    assert approved.status_code in (302, 303), approved.get_data(as_text=True)
    assert services.bank.customer("C001").kyc_level == 3
    assert len(chat(outbox)) == before + 1 and "KYC level 3" in chat(outbox)[-1]
    assert services.kyc.queue() == []


def test_request_ids_never_hold_a_run_of_digits_the_reason_rule_refuses() -> None:
    from admin.kyc.inputs import LONG_DIGITS
    from auth.kyc.service import new_request_id

    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000 and not any(LONG_DIGITS.search(i) for i in ids)
