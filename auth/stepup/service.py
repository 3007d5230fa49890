"""Step-up decisions and their course (implements ``auth.ports.StepUp`` for the bot): begin
(the scenarios decide; start the challenge), answer, resend, switch to another way, cancel,
"passed on the secure page", and the security-questions page's check.

Each call reads the customer's facts once (``auth.stepup.facts``: one round trip), writes what
goes together in one batch (``auth.stores.batch``: the audit entries with the deletes that end
a challenge), and starts a challenge in one script (the throttle on distinct requests, the old
code's end, the challenge and its first code). ``other`` may switch to any way the challenge
offers (``auth.stepup.ways``). Delivery is ``auth.stepup.delivery``'s job.

Throttle first: while the customer's ``code`` lockout holds, even the right answer is refused.
Every wrong answer counts toward the challenge's tries and toward that lockout. An answer for
another request (amount, payee, account changed) voids the challenge.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from redis.client import Pipeline

from auth.ports import StepUpAnswer, StepUpRequest, StepUpState, StepUpView, Verdict
from auth.scenarios.model import ChallengeType, Scenario
from auth.stepup.audit import StepUpAudit, request_of
from auth.stepup.challenges import (
    CODE_PURPOSE,
    QUESTIONS_TTL,
    STARTS_PER_HOUR,
    Challenge,
    ChallengeStore,
    StartsThrottled,
    binding,
)
from auth.stepup.checks import Checks
from auth.stepup.delivery import Delivery, authenticator_view
from auth.stepup.facts import ASKED_QUESTIONS, FactReader, Facts, enrolled
from auth.stepup.ways import offered
from auth.stores.batch import batch
from auth.stores.codes import Codes
from auth.stores.lockout import Kind, Lockouts
from bank.ports import Customer
from messaging import metrics
from messaging.masking import mask_phone

log = logging.getLogger("teller.stepup")

_CODE_TYPES = (ChallengeType.SMS_CODE, ChallengeType.EMAIL_CODE)


@dataclass(frozen=True)
class StepUpService:
    redis: Redis  # the write batches
    facts: FactReader
    challenges: ChallengeStore
    codes: Codes
    lockouts: Lockouts
    checks: Checks
    customer: Callable[[str], Customer | None]  # the bank's customer lookup
    delivery: Delivery
    audit: StepUpAudit
    notify_block: Callable[[str, str, datetime], None]  # the block's SMS: number, kind, until
    clock: Callable[[], datetime]
    # Distinct requests challenged per hour (STEPUP_STARTS_PER_HOUR): each start may send a
    # message, but switching way or starting again after a login is the same request.
    starts_per_hour: int = STARTS_PER_HOUR

    # --- the bot's port (auth.ports.StepUp) ---

    def begin(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        now = self.clock()
        return self._begin(msisdn, customer_id, request, self.facts.read(msisdn, now), now)

    def answer(
        self, msisdn: str, customer_id: str, request: StepUpRequest, text: str
    ) -> StepUpAnswer:
        now = self.clock()
        facts = self.facts.read(msisdn, now)
        until = facts.code_blocked_until
        challenge = facts.challenge
        with batch(self.redis) as pipe:
            if until is not None:
                result = StepUpAnswer(Verdict.BLOCKED, until=until)
            elif (
                challenge is None
                or challenge.passed
                or challenge.kind is ChallengeType.SECURITY_QUESTIONS
            ):
                result = StepUpAnswer(Verdict.EXPIRED)
            elif challenge.binding != binding(request):
                self._end(msisdn, pipe)
                result = StepUpAnswer(Verdict.MISMATCH)
            else:
                result = self._settle(
                    pipe,
                    msisdn,
                    customer_id,
                    self.checks.typed(msisdn, challenge, text, facts),
                    now,
                )
            kind = challenge.kind.value if challenge is not None else "none"
            return self._verdict(pipe, msisdn, customer_id, request, result, kind)

    def resend(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        now = self.clock()
        facts = self.facts.read(msisdn, now)
        challenge = facts.challenge
        if challenge is None or challenge.passed or challenge.binding != binding(request):
            return self._begin(msisdn, customer_id, request, facts, now)  # nothing live for it
        if challenge.kind is ChallengeType.AUTHENTICATOR_APP:
            return authenticator_view(challenge)
        if challenge.kind is ChallengeType.SECURITY_QUESTIONS:
            return self.delivery.questions_link(msisdn, customer_id, challenge)
        email = challenge.kind is ChallengeType.EMAIL_CODE
        customer = self.customer(customer_id) if email else None
        scenario = facts.scenario_for(request)
        with batch(self.redis) as pipe:
            return self.delivery.resend(
                pipe,
                msisdn,
                customer_id,
                customer,
                request,
                challenge,
                facts.config,
                scenario,
                now,
                language=facts.language,
            )

    def switch(
        self, msisdn: str, customer_id: str, request: StepUpRequest, kind: str = ""
    ) -> StepUpView:
        now = self.clock()
        facts = self.facts.read(msisdn, now)
        challenge = facts.challenge
        if challenge is None or challenge.passed or challenge.binding != binding(request):
            return self._begin(msisdn, customer_id, request, facts, now)
        # Only a way this challenge offers (anything else: the next one in its order).
        chosen = kind if kind in challenge.others else (challenge.others or ("",))[0]
        if not chosen:
            return authenticator_view(challenge)
        way = ChallengeType(chosen)
        until = facts.code_blocked_until
        if until is not None:
            return StepUpView(StepUpState.BLOCKED, until=until)
        scenario = facts.scenario_for(request)
        customer = self.customer(customer_id) if way is ChallengeType.EMAIL_CODE else None
        return self._start(
            msisdn,
            customer_id,
            customer,
            request,
            way,
            challenge.options,
            facts,
            scenario,
            "switched",
            now,
        )

    def cancel(self, msisdn: str, customer_id: str) -> None:
        challenge = self.challenges.get(msisdn, self.clock())
        with batch(self.redis) as pipe:
            self._end(msisdn, pipe)
            if challenge is not None:
                request = request_of(challenge)
                self.audit.record(pipe, "stepup.cancel", msisdn, customer_id, request, "cancelled")

    def passed(self, msisdn: str, request: StepUpRequest) -> bool:
        return self.challenges.consume_passed(msisdn, request, self.clock())

    # --- the security-questions page ---

    def questions_for(self, msisdn: str) -> Challenge | None:
        """The pending security-questions challenge, for the secure page."""
        challenge = self.challenges.get(msisdn, self.clock())
        if challenge is None or challenge.passed:
            return None
        return challenge if challenge.kind is ChallengeType.SECURITY_QUESTIONS else None

    def answer_questions(
        self, msisdn: str, customer_id: str, challenge: Challenge, answers: dict[str, str]
    ) -> StepUpAnswer:
        """Both answers right passes the challenge (the chat then goes on); anything else is
        one wrong try, without saying which answer was wrong."""
        now = self.clock()
        request = request_of(challenge)
        facts = self.facts.read(msisdn, now)
        until = facts.code_blocked_until
        with batch(self.redis) as pipe:
            if until is not None:
                result = StepUpAnswer(Verdict.BLOCKED, until=until)
                return self._verdict(
                    pipe, msisdn, customer_id, request, result, challenge.kind.value
                )
            result = self.checks.questions(msisdn, challenge, answers, facts)
            if result.verdict is Verdict.PASSED:
                self.lockouts.success(msisdn, Kind.CODE, pipe)
            elif result.verdict is Verdict.WRONG:
                result = self._strike(pipe, msisdn, customer_id, result, now)
            return self._verdict(pipe, msisdn, customer_id, request, result, challenge.kind.value)

    # --- inside ---

    def _begin(
        self,
        msisdn: str,
        customer_id: str,
        request: StepUpRequest,
        facts: Facts,
        now: datetime,
    ) -> StepUpView:
        until = facts.code_blocked_until
        if until is not None:
            return StepUpView(StepUpState.BLOCKED, until=until)
        customer = self.customer(customer_id)
        types = enrolled(customer, facts.credentials)
        decision = facts.decide(request, types)
        if decision.required and not decision.unavailable:
            config = facts.config
            rule = decision.scenario
            wanted = (
                rule.spec.challenge_types
                if rule is not None
                else (config.default_primary, config.default_backup)
            )
            return self._start(
                msisdn,
                customer_id,
                customer,
                request,
                decision.options[0],
                offered(decision.options, wanted, config, types),
                facts,
                decision.scenario,
                decision.reason,
                now,
            )
        with batch(self.redis) as pipe:
            self._end(msisdn, pipe)
            self.audit.record(
                pipe,
                "stepup.decide",
                msisdn,
                customer_id,
                request,
                "not_required" if not decision.required else "unavailable",
                decision=decision.reason,
                scenario=decision.scenario.scenario_id if decision.scenario else "default",
            )
        if not decision.required:
            return StepUpView(StepUpState.NOT_NEEDED)
        return StepUpView(StepUpState.UNAVAILABLE)

    def _start(
        self,
        msisdn: str,
        customer_id: str,
        customer: Customer | None,
        request: StepUpRequest,
        kind: ChallengeType,
        options: tuple[ChallengeType, ...],
        facts: Facts,
        scenario: Scenario | None,
        reason: str,
        now: datetime,
    ) -> StepUpView:
        """Start a challenge of ``kind`` (replacing any other) and deliver it."""
        config = facts.config
        questions: tuple[str, ...] = ()
        ttl = timedelta(seconds=config.code_expiry_seconds)
        if kind is ChallengeType.SECURITY_QUESTIONS:
            creds = facts.credentials
            ids = [q.question_id for q in creds.questions] if creds else []
            questions = tuple(secrets.SystemRandom().sample(ids, ASKED_QUESTIONS))
            ttl = QUESTIONS_TTL
        code = None
        if kind in _CODE_TYPES:
            code = self.codes.fresh(
                msisdn, CODE_PURPOSE, binding(request), now, length=config.code_length, ttl=ttl
            )
        try:  # each challenge may send a message: cancel-and-restart must not pump SMS
            challenge = self.challenges.start(
                msisdn,
                kind,
                options,
                request,
                now,
                ttl,
                questions,
                starts_per_hour=self.starts_per_hour,
                code=code,
            )
        except StartsThrottled as exc:
            log.warning("step-up: starts throttled (%s) for %s", exc.why, mask_phone(msisdn))
            until = now + timedelta(seconds=exc.retry_after_s)
            return StepUpView(StepUpState.REFUSED, retry_after_s=exc.retry_after_s, until=until)
        metrics.challenge(kind.value, "started")
        with batch(self.redis) as pipe:
            self.audit.record(
                pipe,
                "stepup.start",
                msisdn,
                customer_id,
                request,
                "started",
                kind=kind,
                decision=reason,
                scenario=scenario.scenario_id if scenario else "default",
            )
            if code is not None:
                return self.delivery.send(
                    pipe,
                    msisdn,
                    customer_id,
                    customer,
                    request,
                    challenge,
                    code.code,
                    code.expires,
                    scenario,
                    now,
                    language=facts.language,
                )
        if kind is ChallengeType.SECURITY_QUESTIONS:
            return self.delivery.questions_link(msisdn, customer_id, challenge)
        return authenticator_view(challenge)

    def _settle(
        self, pipe: Pipeline, msisdn: str, customer_id: str, result: StepUpAnswer, now: datetime
    ) -> StepUpAnswer:
        """Count a wrong answer toward the lockout; a pass uses the challenge up."""
        if result.verdict is Verdict.PASSED:
            self._end(msisdn, pipe)
            self.lockouts.success(msisdn, Kind.CODE, pipe)
        elif result.verdict is Verdict.WRONG:
            result = self._strike(pipe, msisdn, customer_id, result, now)
        elif result.verdict is Verdict.EXHAUSTED:
            self._end(msisdn, pipe)
        return result

    def _strike(
        self, pipe: Pipeline, msisdn: str, customer_id: str, result: StepUpAnswer, now: datetime
    ) -> StepUpAnswer:
        """A wrong answer also counts toward the customer's code lockout (at once: the block
        must hold before anything else happens)."""
        strike = self.lockouts.failure(msisdn, Kind.CODE, now)
        if strike.blocked_until is not None:
            self._end(msisdn, pipe)
            self.audit.block(pipe, msisdn, customer_id, strike.blocked_until, now)
            self.notify_block(msisdn, Kind.CODE, strike.blocked_until)
            return StepUpAnswer(Verdict.BLOCKED, until=strike.blocked_until)
        if result.remaining == 0:  # that was this challenge's last try
            self._end(msisdn, pipe)
            return StepUpAnswer(Verdict.EXHAUSTED)
        return StepUpAnswer(Verdict.WRONG, min(result.remaining, strike.remaining))

    def _verdict(
        self,
        pipe: Pipeline,
        msisdn: str,
        customer_id: str,
        request: StepUpRequest,
        result: StepUpAnswer,
        kind: str,
    ) -> StepUpAnswer:
        metrics.challenge(kind, result.verdict.value)
        self.audit.record(
            pipe,
            "stepup.verify",
            msisdn,
            customer_id,
            request,
            result.verdict.value,
            remaining=str(result.remaining),
        )
        return result

    def _end(self, msisdn: str, pipe: Pipeline) -> None:
        self.challenges.end(msisdn, pipe)
        self.codes.discard(msisdn, CODE_PURPOSE, pipe)
