"""``/secure/kyc/<token>``: the customer uploads an identity document and a proof of address for
the next KYC level, from the link "Upgrade KYC level" in Profile & security sent to the chat.

Each file is checked by its content (``auth.kyc.content``: JPEG, PNG or PDF, at most 5 MB,
images re-encoded without metadata, PDFs without scripts or encryption), then stored encrypted
for staff to review. A refused file says why beside its field and nothing is kept; the link
stays usable until both documents are accepted. The request body may be larger here than
anywhere else (``UPLOAD_LIMIT``, set before the form is read), and only here. The page and
its refusals speak the language of the link's number (``auth.onboarding_texts``).
"""

from __future__ import annotations

import contextlib

from flask import request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from auth.kyc.content import MAX_BYTES, Cleaned, Refused, clean
from auth.kyc.requests import SLOT_LABELS, SLOTS
from auth.onboarding_texts import say
from auth.pages.common import gone, open_link, opened, page, service
from auth.stores.links import Link, Purpose
from auth.wiring import services
from bank.ports import Customer
from messaging import MessengerError, Notice
from messaging.local_format import number

ENDPOINT = "secure.kyc_upload"
UPLOAD_LIMIT = len(SLOTS) * MAX_BYTES + 64 * 1024  # two files and the form around them
TEMPLATE = "secure/kyc_upload.html"


def raise_upload_limit() -> None:
    """Before the form is read (CSRF reads it first): this page alone takes files."""
    if request.endpoint == ENDPOINT and request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT


def too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    token = str((request.view_args or {}).get("token", ""))
    if request.endpoint != ENDPOINT or not token:
        return page("secure/problem.html", 413, reason="too_large")
    # Only to speak the link's number's language (nothing is read): English if Redis can't say.
    with contextlib.suppress(Exception):
        open_link(token, Purpose.KYC_UPLOAD)
    problems = [say("kyc_upload.too_large")]
    return page(TEMPLATE, 413, token=token, labels=labels(), problems=problems, errors={})


def labels() -> dict[str, str]:
    """Each document's label (``SLOT_LABELS``, the console's English) in the page's language."""
    return {slot: say(f"kyc_upload.slot.{slot}") for slot in SLOT_LABELS}


def kyc_upload(token: str) -> ResponseReturnValue:
    found: list[Customer] = []

    def customer_known(link: Link) -> bool:
        customer = service().bank.customer(link.customer_id)
        found.extend([customer] if customer is not None else [])
        return customer is not None

    # No block check on GET: the page asks for no secret; the chat's token check led here.
    link = opened(token, Purpose.KYC_UPLOAD, customer_known, check_block=False)
    customer = found[0]
    kyc = services().kyc
    waiting = kyc.open_of(customer.customer_id)
    target = kyc.next_level(customer)
    if waiting is not None or target is None:
        state = "waiting" if waiting is not None else "highest"
        level = number(customer.kyc_level, "d")
        return page(TEMPLATE, token=token, state=state, level=level, labels={})

    def form(status: int = 200, errors: dict[str, str] | None = None) -> ResponseReturnValue:
        return page(
            TEMPLATE,
            status,
            token=token,
            labels=labels(),
            level=number(customer.kyc_level, "d"),  # digits as the page's language writes them
            target=number(target.level, "d"),
            errors=errors or {},
        )

    if request.method == "GET":
        return form()
    cleaned: dict[str, Cleaned] = {}
    errors: dict[str, str] = {}
    for slot in SLOTS:
        try:
            cleaned[slot] = clean(_read(request.files.get(slot)))
        except Refused as exc:
            errors[slot] = exc.reason
    if errors:
        service().audit_link(link, "kyc.upload", "refused", kind=",".join(sorted(errors)))
        return form(400, errors)
    if not service().links.consume(link):  # the same form posted twice: the first one counts
        return gone()
    submitted = kyc.submit(customer, cleaned)
    _tell_chat(link.msisdn, submitted.to_level)
    return page("secure/done.html", what="kyc_submitted", resumed=False)


def _read(upload: FileStorage | None) -> bytes:
    if upload is None or not upload.filename:
        raise Refused(say("kyc_upload.no_file"))
    return upload.stream.read(MAX_BYTES + 1)  # one byte more tells "too large" apart


def _tell_chat(msisdn: str, level: int) -> None:
    """The chat hears that the documents arrived (a failure costs only that message)."""
    auth = service()
    notice = Notice(
        "kyc_received",
        msisdn,
        {"bank": auth.bank_name, "level": level},
        language=auth.language(msisdn),
    )
    with contextlib.suppress(MessengerError):  # the page said so; the outcome message follows
        auth.notifier.notify(notice)
