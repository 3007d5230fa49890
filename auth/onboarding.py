"""Opening a wallet on the secure page: a number outside the bank's directory becomes a
customer with a wallet at the lowest KYC level, in the steps of registration.

1. ``details`` (this module): full name, date of birth, national ID number, email, the bank's
   terms accepted (their version is kept) and the 6-digit code sent by SMS to the number (it
   proves the phone). Each refusal says why and what to do — too young, a date that can't be
   right, details that don't match the national ID record, a national ID or number that
   already has a wallet — and counts toward the ``details`` lockout like registration's. The
   checks run in that order, so only someone who knows a person's name, date of birth and
   national ID learns that this ID already has a wallet. Nothing is written but the strike.
2-4. ``credentials``, ``questions``, ``authenticator``: registration's own steps
   (``auth.registration``), the same code and checks.
Last: ``finish`` uses the link up (one of two racing posts), the bank opens the wallet and pays
in what was held for the number in one transaction, the credentials are written and the
customer is logged in. The held money paid in is audited and each sender is told by SMS.

The Customer Onboarding application's MFA scenario for ``LOGIN`` is read once the details are
checked, its decision audited and enforced (``auth.onboarding_mfa``): the SMS code meets
``sms_code``; ``email_code`` adds a step (``email``: a code sent to the typed address) before
the credentials; a challenge no new person can meet opens nothing online (docs/onboarding.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from auth import registration as reg
from auth.attempts import Attempt
from auth.claims import audit_claim, tell_sender
from auth.onboarding_mfa import Needed, check_email_code, needed, send_email_code
from auth.onboarding_texts import say
from auth.scenarios.evaluate import Decision
from auth.sealed_state import seal, unseal
from auth.service import AuthService
from auth.stores.codes import SendRefused, Verdict
from auth.stores.links import Link, digest
from auth.stores.lockout import Kind
from bank.national_id import IdCheck, KycVerifier, Person, nin_format_ok, normalise_nin
from bank.wallet_types import OpenedWallet, Taken, WalletOpening, WalletRefused
from messaging import MessengerError

log = logging.getLogger("teller.auth")

CODE_PURPOSE = "onboard"
CODE_NOTICE = "onboard_code"
TERMS_VERSION = "2026-01"  # the bank's terms page shows this version (templates/secure/terms)
EARLIEST_BIRTH = date(1900, 1, 1)
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}")
_NAME = re.compile(r"[^\W\d_]+(?:['’.\- ][^\W\d_]+)*")


@dataclass(frozen=True)
class Applicant:
    """What the first step's form sent, as typed."""

    name: str
    dob_text: str  # ISO text (the page's day, month and year)
    national_id: str
    email: str
    code: str
    terms: bool


@dataclass(frozen=True)
class Onboarding:
    auth: AuthService
    verifier: KycVerifier
    minimum_age: int
    # The Customer Onboarding scenarios' decision for a wallet opening of this number.
    decide: Callable[[str], Decision]

    def send_code(self, link: Link) -> None:
        reg.send_code(self.auth, link, CODE_PURPOSE, CODE_NOTICE)

    def branches(self) -> str:
        listed = self.auth.bank.profile().branches
        return "; ".join(f"{b.name}, {b.address}" for b in listed) or say("onboarding.any_branch")

    def verify_details(self, link: Link, typed: Applicant, address: str) -> Attempt:
        """Step 1. Form problems are only asked again; refusals of the person are strikes."""
        service = self.auth
        until = service.blocked_until(link.msisdn)
        if until is not None:
            return Attempt.blocked(until)
        name = " ".join(typed.name.split())
        nin = normalise_nin(typed.national_id)
        dob = reg.parse_dob(typed.dob_text)
        problems = _form_problems(name, dob, nin, typed)
        if problems or dob is None:
            return Attempt.invalid(*problems)
        refusal = self._refusal(Person(name, dob, nin), link.msisdn)
        if refusal is not None:
            reason, message = refusal
            return self._strike(link, address, reason, message)
        check = service.codes.verify(
            link.msisdn, CODE_PURPOSE, digest(link.token), typed.code.strip(), service.clock()
        )
        if check.verdict in (Verdict.EXPIRED, Verdict.EXHAUSTED):
            return Attempt.invalid(say("problem.code.expired"))
        if check.verdict is not Verdict.ACCEPTED:
            message = say("onboarding.refusal.wrong_sms_code")
            return self._strike(link, address, "wrong_code", message)
        service.lockouts.success(link.msisdn, Kind.DETAILS)
        decision = self.decide(link.msisdn)
        need = needed(decision)
        mfa = {"decision": decision.reason, "challenge": need.value}
        if need is Needed.UNAVAILABLE:  # fails closed: nothing a new person has can meet it
            service.audit_link(link, "wallet_details", "refused", reason="mfa_unavailable", **mfa)
            return Attempt.invalid(say("onboarding.refusal.unavailable", branches=self.branches()))
        person = {"name": name, "dob": dob.isoformat(), "nin": nin, "email": typed.email.strip()}
        service.audit_link(link, "wallet_details", "success", address=address, **mfa)
        saved = service.links.save_state(
            link,
            {
                **link.state,
                "step": "email" if need is Needed.EMAIL else "credentials",
                "person": seal(link.token, person),
                "terms": TERMS_VERSION,
                "dob_marks": service.hasher.dob_marks(dob),
            },
        )
        if need is Needed.EMAIL:
            try:
                send_email_code(service, saved, person["email"])
            except (SendRefused, MessengerError):  # the email step offers to send it again
                log.warning("onboarding email code not sent at the first try")
        return Attempt.done()

    def email(self, link: Link) -> str:
        """The address typed on the first step (the email step's code goes there)."""
        person = unseal(link.token, str(link.state.get("person", "")))
        return person["email"] if person else ""

    def resend_email_code(self, link: Link) -> None:
        """Raises SendRefused or MessengerError, as the SMS code's send does."""
        send_email_code(self.auth, link, self.email(link))

    def verify_email(self, link: Link, code: str, address: str) -> Attempt:
        """The email step (when the scenario asks for an email code): a wrong code counts
        toward the details lockout like the SMS code's."""
        until = self.auth.blocked_until(link.msisdn)
        if until is not None:
            return Attempt.blocked(until)
        code = code.strip()
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            return Attempt.invalid(say("onboarding.problem.email_code"))
        check = check_email_code(self.auth, link, code)
        if check.verdict in (Verdict.EXPIRED, Verdict.EXHAUSTED):
            return Attempt.invalid(say("problem.code.expired"))
        if check.verdict is not Verdict.ACCEPTED:
            message = say("onboarding.refusal.wrong_email_code")
            return self._strike(link, address, "wrong_email_code", message, "wallet_email")
        self.auth.lockouts.success(link.msisdn, Kind.DETAILS)
        met = {"challenge": "email_code"}
        self.auth.audit_link(link, "wallet_email", "success", address=address, **met)
        self.auth.links.save_state(link, {**link.state, "step": "credentials"})
        return Attempt.done()

    def _refusal(self, person: Person, msisdn: str) -> tuple[str, str] | None:
        """(reason, what to tell the person) when no wallet can be opened for them."""
        today = self.auth.clock().astimezone(self.auth.zone).date()
        if not EARLIEST_BIRTH <= person.dob <= today:
            return "implausible_date", say("onboarding.refusal.implausible_date")
        if _age(person.dob, today) < self.minimum_age:
            message = say(
                "onboarding.refusal.under_age", age=self.minimum_age, branches=self.branches()
            )
            return "under_age", message
        if self.verifier.check_national_id(person) is not IdCheck.MATCH:
            message = say("onboarding.refusal.national_id_mismatch", branches=self.branches())
            return "national_id_mismatch", message
        taken = self.auth.bank.wallet_taken(msisdn, person.national_id)
        if taken is not None:
            return taken.value, _taken_message(taken, self.branches())
        return None

    def _strike(
        self, link: Link, address: str, reason: str, message: str, event: str = "wallet_details"
    ) -> Attempt:
        strike = self.auth.fail(link, Kind.DETAILS, event, address, reason=reason)
        return Attempt(
            ok=False,
            problems=(message,),
            remaining=strike.remaining,
            blocked_until=strike.blocked_until,
        )

    def finish(self, link: Link, code: str | None, address: str, agent: str) -> Attempt:
        """The last step: registration's, with the wallet opened as its owner."""

        def owner(used: Link) -> Link | Attempt:
            return self._open(used, address)

        return reg.finish(self.auth, link, code, address, agent, owner, "wallet_opened")

    def _open(self, link: Link, address: str) -> Link | Attempt:
        person = unseal(link.token, str(link.state.get("person", "")))
        if person is None:
            return Attempt.link_gone()
        opening = WalletOpening(
            name=person["name"],
            msisdn=link.msisdn,
            email=person["email"],
            dob=date.fromisoformat(person["dob"]),
            national_id=person["nin"],
            terms_version=str(link.state.get("terms", TERMS_VERSION)),
        )
        try:
            opened = self.auth.bank.open_wallet(opening)
        except WalletRefused as exc:  # opened meanwhile from another link: nothing written
            self.auth.audit_link(link, "wallet_open", "refused", reason=exc.reason.value)
            return Attempt.invalid(_taken_message(exc.reason, self.branches()))
        owned = Link(
            link.token, link.purpose, link.msisdn, opened.customer.customer_id, link.expires_at
        )
        self.auth.audit_link(owned, "wallet_open", "success", address=address, level="1")
        self.paid_in(opened)
        return owned

    def paid_in(self, opened: OpenedWallet) -> None:
        """Audit each claim the opening paid in and tell its sender by SMS."""
        for claim in opened.claims:
            audit_claim(self.auth, claim, opened.wallet.number, opened.customer.customer_id)
            tell_sender(self.auth, claim)


def _taken_message(taken: Taken, branches: str) -> str:
    if taken is Taken.NUMBER:
        return say("onboarding.refusal.number_taken", branches=branches)
    return say("onboarding.refusal.national_id_taken", branches=branches)


def _form_problems(name: str, dob: date | None, nin: str, typed: Applicant) -> list[str]:
    """What to fix in the form before anything is checked, in the page's language."""
    problems = []
    if not (3 <= len(name) <= 100 and " " in name and _NAME.fullmatch(name)):
        problems.append(say("onboarding.problem.name"))
    if dob is None:
        problems.append(say("problem.details.dob"))
    if not nin_format_ok(nin):
        problems.append(say("onboarding.problem.nin"))
    if not _EMAIL.fullmatch(typed.email.strip()) or len(typed.email.strip()) > 254:
        problems.append(say("onboarding.problem.email"))
    code = typed.code.strip()
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        problems.append(say("problem.details.code"))
    if not typed.terms:
        problems.append(say("onboarding.problem.terms"))
    return problems


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
