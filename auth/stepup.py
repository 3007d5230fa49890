"""Step-up challenges (SECURITY.md 12-15): the MFA scenarios decide whether a request needs one
and of which type; this module starts it, delivers codes through the messenger with the
scenario's template, and checks answers. Implements ``auth.ports.StepUp`` for the bot.

- ``sms_code`` / ``email_code``: random digits (``auth.stores.codes``: hashed, bound to the
  request's digest, the configured length, expiry and tries, at most 3 sends 30 seconds apart, a
  resend never resets the tries), sent to the registered number or email, never into the chat.
- ``authenticator_app``: the current or previous 30-second step, each step accepted once.
- ``security_questions``: 2 of the customer's 3, answered on a one-time secure page.

Throttle first: while the customer's ``code`` lockout holds, even the right answer is refused.
Every wrong answer counts toward the challenge's tries and toward that lockout. An answer for
another request (amount, payee, account changed) voids the challenge. Each step is audited:
started, delivered (channel, masked destination), every verification, with the action and amount.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from auth.ports import StepUpAnswer, StepUpRequest, StepUpState, StepUpView, Verdict
from auth.questions import normalise
from auth.scenarios.model import ACTIONS, CODE_CHANNELS, ChallengeType, MfaConfig, Scenario
from auth.scenarios.seed import default_templates
from auth.scenarios.service import ScenarioService
from auth.scenarios.templates import MessageValues, render
from auth.service import CHANNEL, AuthService
from auth.stores.challenges import QUESTIONS_TTL, Challenge, ChallengeStore, binding
from auth.stores.codes import SendRefused
from auth.stores.codes import Verdict as CodeVerdict
from auth.stores.credentials import Credentials
from auth.stores.links import Purpose
from auth.stores.lockout import Kind
from auth.stores.ratelimit import CHALLENGE_STARTS, RateLimited
from auth.totp import matching_step
from bank.masking import mask_email, mask_phone
from bank.ports import Customer
from messaging import Channel, MessengerError
from messaging.notices import render_notice

log = logging.getLogger("teller.stepup")

CODE_PURPOSE = "stepup"
ASKED_QUESTIONS = 2
_CODE_TYPES = (ChallengeType.SMS_CODE, ChallengeType.EMAIL_CODE)


def _amount(request: StepUpRequest) -> Decimal | None:
    try:
        return Decimal(request.amount) if request.amount else None
    except InvalidOperation:
        return None  # treated as over any threshold: the challenge still fires


def _for_audit(challenge: Challenge) -> StepUpRequest:
    """The facts an audit entry names when only the stored challenge is at hand."""
    currency, _, amount = challenge.amount.rpartition(" ")
    return StepUpRequest(action=challenge.action, amount=amount, currency=currency)


@dataclass
class StepUpService:
    auth: AuthService
    scenarios: ScenarioService
    challenges: ChallengeStore

    # --- what the customer has set up ---

    def enrolled(
        self, customer: Customer | None, creds: Credentials | None
    ) -> frozenset[ChallengeType]:
        types = {ChallengeType.SMS_CODE}  # the registered number always receives SMS
        if customer is not None and customer.email:
            types.add(ChallengeType.EMAIL_CODE)
        if creds is not None and creds.totp_secret:
            types.add(ChallengeType.AUTHENTICATOR_APP)
        if creds is not None and len(creds.questions) >= ASKED_QUESTIONS:
            types.add(ChallengeType.SECURITY_QUESTIONS)
        return frozenset(types)

    # --- the bot's port (auth.ports.StepUp) ---

    def begin(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        now = self.auth.clock()
        until = self.auth.lockouts.blocked_until(msisdn, Kind.CODE, now)
        if until is not None:
            return StepUpView(StepUpState.BLOCKED, until=until)
        customer = self.auth.bank.customer(customer_id)
        creds = self.auth.credentials.get(msisdn)
        decision, config = self.scenarios.decide(
            request.action,
            _amount(request),
            self.enrolled(customer, creds),
            force=request.force,
        )
        if not decision.required or decision.unavailable:
            self._end(msisdn)
            result = "not_required" if not decision.required else "unavailable"
            self._audit(
                "stepup.decide",
                msisdn,
                customer_id,
                request,
                result,
                decision=decision.reason,
                scenario=decision.scenario.scenario_id if decision.scenario else "default",
            )
            if not decision.required:
                return StepUpView(StepUpState.NOT_NEEDED)
            return StepUpView(StepUpState.UNAVAILABLE)
        return self._start(
            msisdn,
            customer_id,
            request,
            decision.options[0],
            decision.options,
            config,
            decision.scenario,
            decision.reason,
        )

    def answer(
        self, msisdn: str, customer_id: str, request: StepUpRequest, text: str
    ) -> StepUpAnswer:
        now = self.auth.clock()
        until = self.auth.lockouts.blocked_until(msisdn, Kind.CODE, now)
        if until is not None:
            return self._verdict(
                msisdn, customer_id, request, StepUpAnswer(Verdict.BLOCKED, until=until)
            )
        challenge = self.challenges.get(msisdn, now)
        if (
            challenge is None
            or challenge.passed
            or challenge.kind is ChallengeType.SECURITY_QUESTIONS
        ):
            return self._verdict(msisdn, customer_id, request, StepUpAnswer(Verdict.EXPIRED))
        if challenge.binding != binding(request):
            self._end(msisdn)
            return self._verdict(msisdn, customer_id, request, StepUpAnswer(Verdict.MISMATCH))
        config = self.scenarios.config()
        if challenge.kind is ChallengeType.AUTHENTICATOR_APP:
            result = self._check_totp(msisdn, challenge, text, now, config)
        else:
            check = self.auth.codes.verify(
                msisdn,
                CODE_PURPOSE,
                challenge.binding,
                text,
                now,
                length=config.code_length,
                max_tries=config.max_attempts,
            )
            if check.verdict is CodeVerdict.ACCEPTED:
                result = StepUpAnswer(Verdict.PASSED)
            elif check.verdict is CodeVerdict.WRONG:
                result = StepUpAnswer(Verdict.WRONG, check.remaining)
            elif check.verdict is CodeVerdict.EXHAUSTED:
                result = StepUpAnswer(Verdict.EXHAUSTED)
            else:
                result = StepUpAnswer(Verdict.EXPIRED)
        return self._settle(msisdn, customer_id, request, result, now)

    def resend(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        now = self.auth.clock()
        challenge = self.challenges.get(msisdn, now)
        if challenge is None or challenge.passed or challenge.binding != binding(request):
            return self.begin(msisdn, customer_id, request)  # nothing live for this request
        if challenge.kind is ChallengeType.AUTHENTICATOR_APP:
            return self._view(challenge)
        config = self.scenarios.config()
        if challenge.kind is ChallengeType.SECURITY_QUESTIONS:
            return self._questions_link(msisdn, customer_id, challenge)
        scenario = self.scenarios.scenario_for(request.action)
        return self._send(msisdn, customer_id, request, challenge, config, scenario)

    def switch(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        now = self.auth.clock()
        challenge = self.challenges.get(msisdn, now)
        if challenge is None or challenge.passed or challenge.binding != binding(request):
            return self.begin(msisdn, customer_id, request)
        kind = challenge.next_kind
        if kind is None:
            return self._view(challenge)
        until = self.auth.lockouts.blocked_until(msisdn, Kind.CODE, now)
        if until is not None:
            return StepUpView(StepUpState.BLOCKED, until=until)
        config = self.scenarios.config()
        scenario = self.scenarios.scenario_for(request.action)
        return self._start(
            msisdn, customer_id, request, kind, challenge.options, config, scenario, "switched"
        )

    def cancel(self, msisdn: str, customer_id: str) -> None:
        challenge = self.challenges.get(msisdn, self.auth.clock())
        self._end(msisdn)
        if challenge is not None:
            request = _for_audit(challenge)
            self._audit("stepup.cancel", msisdn, customer_id, request, "cancelled")

    def passed(self, msisdn: str, request: StepUpRequest) -> bool:
        return self.challenges.consume_passed(msisdn, request, self.auth.clock())

    # --- the security-questions page ---

    def questions_for(self, msisdn: str) -> Challenge | None:
        """The pending security-questions challenge, for the secure page."""
        challenge = self.challenges.get(msisdn, self.auth.clock())
        if challenge is None or challenge.passed:
            return None
        return challenge if challenge.kind is ChallengeType.SECURITY_QUESTIONS else None

    def answer_questions(
        self, msisdn: str, customer_id: str, challenge: Challenge, answers: dict[str, str]
    ) -> StepUpAnswer:
        """Both answers right passes the challenge (the chat then goes on); anything else is
        one wrong try, without saying which answer was wrong."""
        now = self.auth.clock()
        request = _for_audit(challenge)
        until = self.auth.lockouts.blocked_until(msisdn, Kind.CODE, now)
        if until is not None:
            return self._verdict(
                msisdn, customer_id, request, StepUpAnswer(Verdict.BLOCKED, until=until)
            )
        creds = self.auth.credentials.get(msisdn)
        stored = {q.question_id: q.answer_hash for q in creds.questions} if creds else {}
        right = all(  # every answer is checked, so the time taken says nothing either
            [
                self.auth.hasher.verify(
                    stored.get(qid), f"answer:{qid}", normalise(answers.get(qid, ""))
                )
                for qid in challenge.questions
            ]
        )
        if right and self.challenges.mark_passed(msisdn, challenge.challenge_id):
            result = StepUpAnswer(Verdict.PASSED)
        elif right:
            result = StepUpAnswer(Verdict.EXPIRED)
        else:
            config = self.scenarios.config()
            result = self._wrong(msisdn, challenge, config, now)
        if result.verdict is Verdict.PASSED:
            self.auth.lockouts.success(msisdn, Kind.CODE)
        elif result.verdict is Verdict.WRONG:
            result = self._strike(msisdn, customer_id, result, now)
        return self._verdict(msisdn, customer_id, request, result)

    # --- inside ---

    def _start(
        self,
        msisdn: str,
        customer_id: str,
        request: StepUpRequest,
        kind: ChallengeType,
        options: tuple[ChallengeType, ...],
        config: MfaConfig,
        scenario: Scenario | None,
        reason: str,
    ) -> StepUpView:
        now = self.auth.clock()
        try:  # each challenge may send a message: cancel-and-restart must not pump SMS
            self.auth.limiter.hit(CHALLENGE_STARTS, msisdn, now)
        except RateLimited as exc:
            log.warning("step-up: rate limit for %s", mask_phone(msisdn))
            return StepUpView(StepUpState.REFUSED, retry_after_s=exc.retry_after_s)
        self.auth.codes.discard(msisdn, CODE_PURPOSE)  # the previous challenge's code dies with it
        questions: tuple[str, ...] = ()
        ttl = timedelta(seconds=config.code_expiry_seconds)
        if kind is ChallengeType.SECURITY_QUESTIONS:
            creds = self.auth.credentials.get(msisdn)
            ids = [q.question_id for q in creds.questions] if creds else []
            questions = tuple(secrets.SystemRandom().sample(ids, ASKED_QUESTIONS))
            ttl = QUESTIONS_TTL
        challenge = self.challenges.start(msisdn, kind, options, request, now, ttl, questions)
        self._audit(
            "stepup.start",
            msisdn,
            customer_id,
            request,
            "started",
            kind=kind,
            decision=reason,
            scenario=scenario.scenario_id if scenario else "default",
        )
        if kind in _CODE_TYPES:
            return self._send(msisdn, customer_id, request, challenge, config, scenario)
        if kind is ChallengeType.SECURITY_QUESTIONS:
            return self._questions_link(msisdn, customer_id, challenge)
        return self._view(challenge)

    def _send(
        self,
        msisdn: str,
        customer_id: str,
        request: StepUpRequest,
        challenge: Challenge,
        config: MfaConfig,
        scenario: Scenario | None,
    ) -> StepUpView:
        now = self.auth.clock()
        try:
            code, expires = self.auth.codes.issue(
                msisdn,
                CODE_PURPOSE,
                challenge.binding,
                now,
                length=config.code_length,
                ttl=challenge.expires_at - now,
            )
        except SendRefused as exc:
            return StepUpView(
                StepUpState.REFUSED,
                kind=challenge.kind.value,
                retry_after_s=exc.retry_after_s,
                can_switch=challenge.next_kind is not None,
            )
        text = render(self._template(challenge, scenario), self._values(request, code, now))
        customer = self.auth.bank.customer(customer_id)
        if challenge.kind is ChallengeType.EMAIL_CODE:
            channel, to = Channel.EMAIL, customer.email if customer else ""
            shown = mask_email(to)
        else:
            channel, to, shown = Channel.SMS, msisdn, mask_phone(msisdn)
        try:
            # Email only: an SMS has no subject (the dev outbox would prepend it to the text).
            subject = render_notice("stepup_email_subject", bank=self.auth.bank_name)
            self.auth.messenger.send(
                channel, to, text, subject=subject if channel is Channel.EMAIL else None
            )
        except MessengerError as exc:
            log.warning("step-up code to %s not sent: %s", shown, exc)
            # Not a send: "resend" must work at once, not meet a cooldown or the send limit.
            self.auth.codes.unsend(msisdn, CODE_PURPOSE)
            self._audit(
                "stepup.deliver",
                msisdn,
                customer_id,
                request,
                "failure",
                destination=shown,
                kind=challenge.kind,
            )
            return StepUpView(
                StepUpState.FAILED,
                kind=challenge.kind.value,
                can_switch=challenge.next_kind is not None,
            )
        self._audit(
            "stepup.deliver",
            msisdn,
            customer_id,
            request,
            "success",
            destination=shown,
            kind=challenge.kind,
        )
        return StepUpView(
            StepUpState.SENT,
            kind=challenge.kind.value,
            destination=shown,
            minutes=max(1, round((expires - now).total_seconds() / 60)),
            can_switch=challenge.next_kind is not None,
        )

    def _template(self, challenge: Challenge, scenario: Scenario | None) -> str:
        field = CODE_CHANNELS[challenge.kind]
        chosen = getattr(scenario.spec, field) if scenario is not None else ""
        if chosen:
            return str(chosen)
        sms, email = default_templates(self.auth.bank_name, ACTIONS[challenge.action].monetary)
        return email if challenge.kind is ChallengeType.EMAIL_CODE else sms

    def _values(self, request: StepUpRequest, code: str, now: datetime) -> MessageValues:
        amount = _amount(request)
        shown = f"{request.currency} {amount:,.2f}".strip() if amount is not None else ""
        return MessageValues(
            otp=code,
            at=now,
            account_number=request.account,
            payee_name=request.payee,
            transfer_amount=shown,
        )

    def _questions_link(self, msisdn: str, customer_id: str, challenge: Challenge) -> StepUpView:
        link = self.auth.links.issue(Purpose.STEP_UP, msisdn, customer_id, self.auth.clock())
        return StepUpView(
            StepUpState.QUESTIONS,
            kind=challenge.kind.value,
            url=self.auth.url_for(link),
            minutes=link.minutes,
            can_switch=challenge.next_kind is not None,
        )

    def _view(self, challenge: Challenge) -> StepUpView:
        return StepUpView(
            StepUpState.AUTHENTICATOR,
            kind=challenge.kind.value,
            can_switch=challenge.next_kind is not None,
        )

    def _check_totp(
        self, msisdn: str, challenge: Challenge, text: str, now: datetime, config: MfaConfig
    ) -> StepUpAnswer:
        if challenge.tries >= config.max_attempts:
            return StepUpAnswer(Verdict.EXHAUSTED)
        creds = self.auth.credentials.get(msisdn)
        step = matching_step(creds.totp_secret, text, now) if creds and creds.totp_secret else None
        # A step already used (a replayed code) is as wrong as a mistyped one.
        if step is not None and self.auth.credentials.accept_totp_step(msisdn, step):
            # Two valid steps (previous and current) can race: only one passes the challenge.
            if self.challenges.mark_passed(msisdn, challenge.challenge_id):
                return StepUpAnswer(Verdict.PASSED)
            return StepUpAnswer(Verdict.EXPIRED)
        return StepUpAnswer(Verdict.WRONG, self.challenges.wrong_try(msisdn, config.max_attempts))

    def _wrong(
        self, msisdn: str, challenge: Challenge, config: MfaConfig, now: datetime
    ) -> StepUpAnswer:
        if challenge.tries >= config.max_attempts:
            return StepUpAnswer(Verdict.EXHAUSTED)
        return StepUpAnswer(Verdict.WRONG, self.challenges.wrong_try(msisdn, config.max_attempts))

    def _settle(
        self,
        msisdn: str,
        customer_id: str,
        request: StepUpRequest,
        result: StepUpAnswer,
        now: datetime,
    ) -> StepUpAnswer:
        """Count a wrong answer toward the lockout; a pass uses the challenge up."""
        if result.verdict is Verdict.PASSED:
            self._end(msisdn)
            self.auth.lockouts.success(msisdn, Kind.CODE)
        elif result.verdict is Verdict.WRONG:
            result = self._strike(msisdn, customer_id, result, now)
        elif result.verdict is Verdict.EXHAUSTED:
            self._end(msisdn)
        return self._verdict(msisdn, customer_id, request, result)

    def _strike(
        self, msisdn: str, customer_id: str, result: StepUpAnswer, now: datetime
    ) -> StepUpAnswer:
        """A wrong answer also counts toward the customer's code lockout."""
        strike = self.auth.lockouts.failure(msisdn, Kind.CODE, now)
        if strike.blocked_until is not None:
            self._end(msisdn)
            self.auth.audit.record(  # as the PIN and details blocks are: staff filter on it
                "block",
                at=now,
                customer_id=customer_id,
                msisdn=msisdn,
                channel=CHANNEL,
                result="blocked",
                reason=f"5 wrong {Kind.CODE.value} attempts",
                until=strike.blocked_until.isoformat(),
            )
            self.auth.notify(msisdn, "blocked", strike.blocked_until)
            return StepUpAnswer(Verdict.BLOCKED, until=strike.blocked_until)
        if result.remaining == 0:  # that was this challenge's last try
            self._end(msisdn)
            return StepUpAnswer(Verdict.EXHAUSTED)
        return StepUpAnswer(Verdict.WRONG, min(result.remaining, strike.remaining))

    def _verdict(
        self, msisdn: str, customer_id: str, request: StepUpRequest, result: StepUpAnswer
    ) -> StepUpAnswer:
        self._audit(
            "stepup.verify",
            msisdn,
            customer_id,
            request,
            result.verdict.value,
            remaining=str(result.remaining),
        )
        return result

    def _end(self, msisdn: str) -> None:
        self.challenges.end(msisdn)
        self.auth.codes.discard(msisdn, CODE_PURPOSE)

    def _audit(
        self,
        event: str,
        msisdn: str,
        customer_id: str,
        request: StepUpRequest,
        result: str,
        *,
        kind: ChallengeType | None = None,
        **detail: str,
    ) -> None:
        extra = dict(detail)
        if kind is not None:
            extra["challenge"] = kind.value
        if request.amount:
            extra["amount"] = f"{request.currency} {request.amount}".strip()
        self.auth.audit.record(
            event,
            at=self.auth.clock(),
            customer_id=customer_id,
            msisdn=msisdn,
            channel=CHANNEL,
            result=result,
            action=request.action,
            **extra,
        )
