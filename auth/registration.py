"""Registration on the secure page, in four steps held in the link's state:

1. ``details``: date of birth and the national ID's last 4 digits, plus a 6-digit code sent by
   SMS to the registered number — one verdict for all three, so a refusal never says which was
   wrong; failures count toward the ``details`` and ``code`` lockouts.
2. ``credentials``: the chat-banking ID (reserved at once) and the PIN (policy-checked, hashed).
3. ``questions``: 3 of the 10 security questions, answers hashed.
4. ``authenticator``: optional; enabling it needs one valid code. Then the credentials are
   written, the link is used up and the customer is logged in.

Nothing is written to the customer's credentials until the last step succeeds. Opening a
wallet (``auth.onboarding``) has its own first step and takes steps 2-4 from here: the same
code, the same checks; ``finish`` takes the one thing that differs (creating the customer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from auth import totp
from auth.attempts import Attempt
from auth.page_texts import say
from auth.pins import pin_problems
from auth.questions import answer_problems, normalise
from auth.service import AuthService
from auth.stores.codes import SendRefused, Verdict
from auth.stores.credentials import (
    AccountStatus,
    Credentials,
    LoginIdTaken,
    Question,
    login_id_problems,
)
from auth.stores.links import Link, digest
from auth.stores.lockout import Kind
from messaging import MessengerError, metrics
from messaging.masking import mask_phone

CODE_PURPOSE = "register"
STEPS = ("details", "credentials", "questions", "authenticator")

log = logging.getLogger("teller.auth")


def step(link: Link) -> str:
    return str(link.state.get("step", "details"))


def _advance(service: AuthService, link: Link, **changes: Any) -> Link:
    return service.links.save_state(link, {**link.state, **changes})


def send_code(
    service: AuthService, link: Link, purpose: str = CODE_PURPOSE, notice: str = "register_code"
) -> datetime:
    """Send the registration code by SMS; returns its expiry. Raises SendRefused, or
    MessengerError when the SMS was not handed over: that send is then taken back (it neither
    counts toward the three nor starts the cooldown; a first code nobody received is dropped)."""
    until = service.blocked_until(link.msisdn)
    if until is not None:
        raise SendRefused(int((until - service.clock()).total_seconds()))
    try:
        code, expires = service.codes.issue(
            link.msisdn, purpose, digest(link.token), service.clock()
        )
    except SendRefused:
        metrics.code_sent(purpose, "sms", "refused")
        raise
    try:
        service.messenger_send_code(link.msisdn, code, expires, notice)
    except MessengerError as exc:
        metrics.code_sent(purpose, "sms", "failed")
        log.warning("%s code to %s not sent: %s", purpose, mask_phone(link.msisdn), exc)
        service.codes.unsend(link.msisdn, purpose)
        service.audit_link(link, "code_sent", "failure", channel="sms", purpose=purpose)
        raise
    metrics.code_sent(purpose, "sms", "sent")
    service.audit_link(link, "code_sent", "ok", channel="sms", purpose=purpose)
    return expires


def parse_dob(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def verify_details(
    service: AuthService, link: Link, dob_text: str, nin_last4: str, code: str, address: str
) -> Attempt:
    until = service.blocked_until(link.msisdn)
    if until is not None:
        return Attempt.blocked(until)
    dob = parse_dob(dob_text)
    problems = []
    if dob is None or not date(1900, 1, 1) <= dob <= service.clock().date():
        problems.append(say("problem.details.dob"))
    nin = nin_last4.strip()
    if not (nin.isascii() and nin.isdigit() and len(nin) == 4):
        problems.append(say("problem.details.nin"))
    if not (code.strip().isascii() and code.strip().isdigit() and len(code.strip()) == 6):
        problems.append(say("problem.details.code"))
    if problems or dob is None:
        return Attempt.invalid(*problems)
    # One verdict for the three: the code is only accepted (and used up) when the details match
    # too, and any failure is one strike on one counter, so no answer, count or later reply
    # tells which was wrong (SECURITY.md 11). With no live code the answer ignores the details.
    details_ok = service.bank.verify_personal_details(link.customer_id, dob, nin)
    check = service.codes.verify(
        link.msisdn, CODE_PURPOSE, digest(link.token), code, service.clock(), accept=details_ok
    )
    if check.verdict in (Verdict.EXPIRED, Verdict.EXHAUSTED):
        return Attempt.invalid(say("problem.code.expired"))
    if check.verdict is not Verdict.ACCEPTED:
        return Attempt.struck(service.fail(link, Kind.DETAILS, "registration_details", address))
    service.lockouts.success(link.msisdn, Kind.DETAILS)
    _advance(service, link, step="credentials", dob_marks=service.hasher.dob_marks(dob))
    return Attempt.done()


def choose_credentials(
    service: AuthService, link: Link, login_id: str, pin: str, repeat: str
) -> Attempt:
    if step(link) != "credentials":
        return Attempt.link_gone()  # each step only in its turn, whatever the page sends
    login_id = login_id.strip()
    marks = link.state.get("dob_marks", [])
    problems = login_id_problems(login_id, link.msisdn)
    problems += pin_problems(
        pin, msisdn=link.msisdn, is_dob_pin=service.hasher.is_dob_pin(pin, marks)
    )
    if pin != repeat:
        problems.append(say("problem.pin.mismatch"))
    if problems:
        return Attempt.invalid(*problems)
    try:
        service.credentials.reserve_login_id(login_id, link.msisdn)
    except LoginIdTaken:
        return Attempt.invalid(say("problem.login_id.taken_chat_banking"))
    _advance(
        service, link, step="questions", login_id=login_id, pin_hash=service.hasher.hash("pin", pin)
    )
    return Attempt.done()


def choose_questions(service: AuthService, link: Link, chosen: Mapping[str, str]) -> Attempt:
    if step(link) != "questions":
        return Attempt.link_gone()
    problems = answer_problems(dict(chosen))
    if problems:
        return Attempt.invalid(*problems)
    hashed = [
        {"id": qid, "hash": service.hasher.hash(f"answer:{qid}", normalise(answer))}
        for qid, answer in chosen.items()
    ]
    secret = link.state.get("totp_secret") or totp.new_secret()
    _advance(service, link, step="authenticator", questions=hashed, totp_secret=secret)
    return Attempt.done()


def authenticator_setup(service: AuthService, link: Link) -> tuple[str, str, str]:
    """(secret, otpauth URI, QR as a data URI) for the pending authenticator."""
    secret = str(link.state["totp_secret"])
    creds_id = str(link.state.get("login_id", ""))
    uri = totp.provisioning_uri(secret, creds_id or "chat banking", service.bank_name)
    return secret, uri, totp.qr_svg_data_uri(uri)


# What the last step does before the credentials are written, once the link is used up: the
# link of the customer to write them for, or the Attempt that refuses (nothing written).
Owner = Callable[[Link], "Link | Attempt"]


def _registered(link: Link) -> Link | Attempt:
    return link  # registration: the bank's customer already exists


def finish(
    service: AuthService,
    link: Link,
    authenticator_code: str | None,
    address: str,
    agent: str,
    owner: Owner = _registered,
    event: str = "registration",
) -> Attempt:
    """Write the credentials (with the authenticator if a valid code was given) and log in."""
    if step(link) != "authenticator":
        return Attempt.link_gone()
    now = service.clock()
    secret, totp_step = "", 0
    if authenticator_code is not None:
        matched = totp.matching_step(str(link.state["totp_secret"]), authenticator_code, now)
        if matched is None:
            return Attempt.invalid(say("problem.authenticator.wrong"))
        secret, totp_step = str(link.state["totp_secret"]), matched
    if not service.links.consume(link):
        return Attempt.link_gone()  # exactly one of two racing posts goes on
    found = owner(link)
    if isinstance(found, Attempt):
        return found
    link = replace(link, customer_id=found.customer_id)
    service.credentials.create(
        Credentials(
            msisdn=link.msisdn,
            customer_id=link.customer_id,
            login_id=str(link.state["login_id"]),
            pin_hash=str(link.state["pin_hash"]),
            status=AccountStatus.REGISTERED,
            registered_at=now,
            questions=tuple(Question(q["id"], q["hash"]) for q in link.state["questions"]),
            totp_secret=secret,
            totp_step=totp_step,
            dob_marks=tuple(link.state.get("dob_marks", [])),
        )
    )
    service.start_session(link, address, agent, event)
    service.notify(link.msisdn, "registered")
    return Attempt.done()
