"""A whole rotation of SECRET_KEY and PIN_PEPPER, on one Redis and one bank, in three deploys:

1. before: everything made with the old key and pepper (a registered customer's PIN and
   answers, a stored reply, a media token, a code being waited for, a KYC document, a receipt's
   verification code, a staff member's password, authenticator and API token, an open form);
2. during (new values, the old ones as ``*_PREVIOUS``): all of it still opens or verifies, and
   what can be rewritten is, at its next use (the PIN at login, the staff password, the
   authenticator secret and the API token's digest at their next use);
3. after (the previous values unset): what was rewritten works under the new values alone, and
   what wasn't (the short-lived media token) is refused, as it would have expired anyway.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from admin.staff.roles import Role
from app import Config, Services, build_services, create_app
from auth.pins import SecretHasher
from auth.ports import StepUpAnswer, StepUpState, Verdict
from auth.questions import normalise
from auth.stores.credentials import CRED_KEY
from bot.messenger import OutboxMessenger
from receipts import verification
from tests.conftest import AMINA
from tests.console import PASSWORD, ConsoleClient, make_staff
from tests.documents import transfer
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.integration.test_stepup import AMINA_ID, PIN_CHANGE, begin, set_types
from tests.secure_pages import ANSWERS, SecurePages, link_in
from workers.sources import receipt_for

OLD_KEY, NEW_KEY = "old-secret-key-" + "a" * 24, "new-secret-key-" + "b" * 24
OLD_PEPPER, NEW_PEPPER = "old-pin-pepper-" + "c" * 24, "new-pin-pepper-" + "d" * 24
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def deployed(config: Config, clock: FrozenClock) -> Iterator[tuple[Services, Flask]]:
    services = build_services(config, clock=clock)
    app = create_app(services=services)
    app.config.update(TESTING=True)
    try:
        yield services, app
    finally:
        services.close()


def verified(client: FlaskClient, code: str) -> bool:
    page = client.get("/verify").get_data(as_text=True)
    token = _CSRF.search(page)
    assert token is not None
    answer = client.post("/verify", data={"code": code, "csrf_token": token.group(1)})
    return "This receipt is genuine" in answer.get_data(as_text=True)


def pin_hash(services: Services) -> str:
    return str(services.redis.hget(CRED_KEY.format(msisdn=AMINA), "pin_hash"))


def test_a_whole_rotation_of_secret_key_and_pin_pepper(config: Config, clock: FrozenClock) -> None:
    before = dataclasses.replace(config, secret_key=OLD_KEY, pin_pepper=OLD_PEPPER)
    during = dataclasses.replace(
        config,
        secret_key=NEW_KEY,
        pin_pepper=NEW_PEPPER,
        secret_key_previous=OLD_KEY,
        pin_pepper_previous=OLD_PEPPER,
    )
    after = dataclasses.replace(config, secret_key=NEW_KEY, pin_pepper=NEW_PEPPER)

    # 1. Before: everything made with the old values.
    with deployed(before, clock) as (services, app):
        outbox = services.messenger
        assert isinstance(outbox, OutboxMessenger)
        whatsapp = WhatsApp(app.test_client(), config.twilio_auth_token, config.public_base_url)
        secure = SecurePages(app.test_client(), outbox)
        first = whatsapp.send(AMINA, "balance", sid="SM" + "1" * 32)
        assert secure.register(link_in(first.text), AMINA).status == 200
        old_pin_hash = pin_hash(services)
        replayed = whatsapp.send(AMINA, "menu", sid="SM" + "2" * 32).text
        media_token = services.media.put(b"%PDF-1.7 receipt", "receipt.pdf")
        code, _ = services.auth.codes.issue(AMINA, "rotation-test", "bound", clock())
        services.kyc.vault.put("KYCROTATION", "identity", b"a scanned document")
        record = services.bank.transfer_record(transfer(services, "rotation-1"))
        assert record is not None
        receipt = receipt_for(services.bank, record, services.bank_name)
        receipt_code = verification.code_for(receipt, services.verify_key)
        staff = make_staff(services, "ada.admin", Role.ADMIN)
        _, api_token = services.tokens.create("ada.admin", "deploys", channel="console")
        old_staff = services.redis.hgetall("teller:{staff}:user:ada.admin")
        form = ConsoleClient(app.test_client(), clock)
        form.get("/admin/login")  # a sign-in form left open across the deploy
        cookie = form.client.get_cookie("teller_session")
        assert cookie is not None
        open_cookie, open_csrf = cookie.value, form.csrf

    # 2. During: the old values still open and verify; the next use rewrites what it can.
    with deployed(during, clock) as (services, app):
        whatsapp = WhatsApp(app.test_client(), config.twilio_auth_token, config.public_base_url)
        assert whatsapp.send(AMINA, "menu", sid="SM" + "2" * 32).text == replayed
        media = services.media.get(media_token)
        assert media is not None and media.pdf.startswith(b"%PDF")
        check = services.auth.codes.verify(AMINA, "rotation-test", "bound", code, clock())
        assert check.verdict.value == "accepted"
        assert services.kyc.vault.get("KYCROTATION", "identity") == b"a scanned document"
        assert verified(app.test_client(), receipt_code)
        # The sign-in form opened before the deploy still posts (its cookie and CSRF token).
        carried = app.test_client()
        carried.set_cookie("teller_session", open_cookie)
        signed_in = carried.post(
            "/admin/login",
            data={
                "username": staff.username,
                "password": PASSWORD,
                "code": staff.code(clock),
                "csrf_token": open_csrf,
            },
        )
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
        rewritten = services.redis.hgetall("teller:{staff}:user:ada.admin")
        assert rewritten["password"] != old_staff["password"]
        assert rewritten["totp"] != old_staff["totp"]
        bearer = services.tokens.authenticate(api_token)
        assert bearer.owner.username == "ada.admin"
        # Amina logs in: the PIN made with the old pepper verifies and is rehashed.
        clock.advance(minutes=6)
        outbox = services.messenger
        assert isinstance(outbox, OutboxMessenger)
        secure = SecurePages(app.test_client(), outbox)
        login = whatsapp.send(AMINA, "balance")
        assert "Log in to continue" in login.text
        assert secure.login(link_in(login.text)).status == 200
        assert pin_hash(services) != old_pin_hash

    # 3. After: the new values alone; what was rewritten works, the rest is gone.
    with deployed(after, clock) as (services, app):
        clock.advance(minutes=6)
        whatsapp = WhatsApp(app.test_client(), config.twilio_auth_token, config.public_base_url)
        outbox = services.messenger
        assert isinstance(outbox, OutboxMessenger)
        secure = SecurePages(app.test_client(), outbox)
        login = whatsapp.send(AMINA, "balance")
        done = secure.login(link_in(login.text))
        assert done.status == 200 and "logged in" in done.text.lower()
        console = ConsoleClient(app.test_client(), clock)
        console.sign_in(staff)
        assert services.tokens.authenticate(api_token).owner.username == "ada.admin"
        assert services.media.get(media_token) is None
        assert services.kyc.vault.get("KYCROTATION", "identity") is None
        assert not verified(app.test_client(), receipt_code)


def test_a_code_issued_before_a_pepper_rotation_counts_one_try_when_wrong(
    config: Config, clock: FrozenClock
) -> None:
    before = dataclasses.replace(config, pin_pepper=OLD_PEPPER)
    during = dataclasses.replace(config, pin_pepper=NEW_PEPPER, pin_pepper_previous=OLD_PEPPER)
    with deployed(before, clock) as (services, _):
        code, _ = services.auth.codes.issue(AMINA, "rotation-test", "bound", clock())
    with deployed(during, clock) as (services, _):
        wrong = "000000" if code != "000000" else "111111"
        miss = services.auth.codes.verify(AMINA, "rotation-test", "bound", wrong, clock())
        assert miss.verdict.value == "wrong" and miss.remaining == 4
        # Bound to what it was issued for, under either pepper.
        other = services.auth.codes.verify(AMINA, "rotation-test", "other", code, clock())
        assert other.verdict.value == "wrong"
        right = services.auth.codes.verify(AMINA, "rotation-test", "bound", code, clock())
        assert right.verdict.value == "accepted"


def test_a_pin_hashed_under_the_old_pepper_fails_once_it_is_unset(
    config: Config, clock: FrozenClock
) -> None:
    """Why the previous pepper stays set until customers have logged in: a PIN can only be
    rehashed while it is typed."""
    old = SecretHasher(OLD_PEPPER, memory_kib=8)
    during = SecretHasher(NEW_PEPPER, previous=OLD_PEPPER, memory_kib=8)
    after = SecretHasher(NEW_PEPPER, memory_kib=8)
    stored = old.hash("pin", "495817")
    assert during.check(stored, "pin", "495817") == (True, True)
    assert during.check(stored, "pin", "111111") == (False, False)
    assert during.check(None, "pin", "495817") == (False, False)
    assert not after.verify(stored, "pin", "495817")
    rehashed = during.hash("pin", "495817")
    assert during.check(rehashed, "pin", "495817") == (True, False)
    assert after.verify(rehashed, "pin", "495817")
    # Date-of-birth fingerprints stored under the old pepper still refuse those PINs.
    marks = old.dob_marks(date(1990, 4, 12))
    assert during.is_dob_pin("120490", marks) and not after.is_dob_pin("120490", marks)


def test_security_answers_hashed_under_the_old_pepper_pass_and_are_rehashed(
    config: Config, clock: FrozenClock
) -> None:
    before = dataclasses.replace(config, pin_pepper=OLD_PEPPER)
    during = dataclasses.replace(config, pin_pepper=NEW_PEPPER, pin_pepper_previous=OLD_PEPPER)
    after = dataclasses.replace(config, pin_pepper=NEW_PEPPER)
    with deployed(before, clock) as (services, app):
        outbox = services.messenger
        assert isinstance(outbox, OutboxMessenger)
        whatsapp = WhatsApp(app.test_client(), config.twilio_auth_token, config.public_base_url)
        first = whatsapp.send(AMINA, "balance")
        assert SecurePages(app.test_client(), outbox).register(link_in(first.text), AMINA).status
        registered = services.auth.credentials.get(AMINA)
        assert registered is not None
        old = {q.question_id: q.answer_hash for q in registered.questions}

    def challenged(services: Services) -> StepUpAnswer:
        set_types(services, "PASSWORD_UPDATE", "security_questions", "sms_code")
        assert begin(services, PIN_CHANGE).state is StepUpState.QUESTIONS
        challenge = services.stepup.questions_for(AMINA)
        assert challenge is not None
        answers = {qid: ANSWERS[qid] for qid in challenge.questions}
        return services.stepup.answer_questions(AMINA, AMINA_ID, challenge, answers)

    with deployed(during, clock) as (services, _):
        assert challenged(services).verdict is Verdict.PASSED
        creds = services.auth.credentials.get(AMINA)
        assert creds is not None
        asked = [q for q in creds.questions if q.answer_hash != old[q.question_id]]
        assert len(asked) == 2  # the two asked were rehashed; the third waits for its turn
    clock.advance(minutes=10)
    with deployed(after, clock) as (services, _):
        # Only answers already rehashed pass without the previous pepper.
        creds = services.auth.credentials.get(AMINA)
        assert creds is not None
        for q in asked:
            assert services.auth.hasher.verify(
                q.answer_hash, f"answer:{q.question_id}", normalise(ANSWERS[q.question_id])
            )
