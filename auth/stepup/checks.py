"""Checking a step-up answer against the live challenge, without deciding what it costs: a
code typed in the chat (``auth.stores.codes``: compared in Redis, each code accepted once), an
authenticator step (the current or previous one, each accepted once), or the two security
answers from the secure page (every answer checked, so the time taken says nothing). A wrong
answer is counted on the challenge here; the lockout is ``auth.stepup.service``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auth.pins import SecretHasher
from auth.ports import StepUpAnswer, Verdict
from auth.questions import normalise
from auth.scenarios.model import ChallengeType, MfaConfig
from auth.stepup.challenges import CODE_PURPOSE, Challenge, ChallengeStore
from auth.stepup.facts import Facts
from auth.stores.codes import Codes
from auth.stores.codes import Verdict as CodeVerdict
from auth.stores.credentials import Credentials, CredentialStore
from auth.totp import matching_step

_CODE_VERDICTS = {
    CodeVerdict.ACCEPTED: Verdict.PASSED,
    CodeVerdict.WRONG: Verdict.WRONG,
    CodeVerdict.EXHAUSTED: Verdict.EXHAUSTED,
    CodeVerdict.EXPIRED: Verdict.EXPIRED,
}


@dataclass(frozen=True)
class Checks:
    challenges: ChallengeStore
    codes: Codes
    credentials: CredentialStore  # authenticator steps, each accepted once
    hasher: SecretHasher

    def questions(
        self, msisdn: str, challenge: Challenge, answers: dict[str, str], facts: Facts
    ) -> StepUpAnswer:
        """Both answers right passes the challenge; anything else is one wrong try."""
        creds = facts.credentials
        stored = {q.question_id: q.answer_hash for q in creds.questions} if creds else {}
        # Every answer is checked, so the time taken says nothing either.
        checks = {
            qid: self.hasher.check(
                stored.get(qid), f"answer:{qid}", normalise(answers.get(qid, ""))
            )
            for qid in challenge.questions
        }
        right = all(ok for ok, _ in checks.values())
        if right:  # answers hashed with the pepper being rotated out get the current one
            self.credentials.set_answer_hashes(
                msisdn,
                {
                    qid: self.hasher.hash(f"answer:{qid}", normalise(answers.get(qid, "")))
                    for qid, (_, stale) in checks.items()
                    if stale
                },
            )
        if right and self.challenges.mark_passed(msisdn, challenge.challenge_id):
            return StepUpAnswer(Verdict.PASSED)
        if right:
            return StepUpAnswer(Verdict.EXPIRED)
        return self._wrong(msisdn, challenge, facts.config)

    def typed(self, msisdn: str, challenge: Challenge, text: str, facts: Facts) -> StepUpAnswer:
        """The answer typed in the chat, against the live challenge's code or authenticator."""
        config = facts.config
        if challenge.kind is ChallengeType.AUTHENTICATOR_APP:
            return self._check_totp(msisdn, challenge, facts.credentials, text, facts.now, config)
        check = self.codes.verify(
            msisdn,
            CODE_PURPOSE,
            challenge.binding,
            text,
            facts.now,
            length=config.code_length,
            max_tries=config.max_attempts,
        )
        if check.verdict is CodeVerdict.WRONG:
            return StepUpAnswer(Verdict.WRONG, check.remaining)
        return StepUpAnswer(_CODE_VERDICTS[check.verdict])

    def _check_totp(
        self,
        msisdn: str,
        challenge: Challenge,
        creds: Credentials | None,
        text: str,
        now: datetime,
        config: MfaConfig,
    ) -> StepUpAnswer:
        if challenge.tries >= config.max_attempts:
            return StepUpAnswer(Verdict.EXHAUSTED)
        step = matching_step(creds.totp_secret, text, now) if creds and creds.totp_secret else None
        # A step already used (a replayed code) is as wrong as a mistyped one.
        if step is not None and self.credentials.accept_totp_step(msisdn, step):
            # Two valid steps (previous and current) can race: only one passes the challenge.
            if self.challenges.mark_passed(msisdn, challenge.challenge_id):
                return StepUpAnswer(Verdict.PASSED)
            return StepUpAnswer(Verdict.EXPIRED)
        return StepUpAnswer(Verdict.WRONG, self.challenges.wrong_try(msisdn, config.max_attempts))

    def _wrong(self, msisdn: str, challenge: Challenge, config: MfaConfig) -> StepUpAnswer:
        if challenge.tries >= config.max_attempts:
            return StepUpAnswer(Verdict.EXHAUSTED)
        return StepUpAnswer(Verdict.WRONG, self.challenges.wrong_try(msisdn, config.max_attempts))
