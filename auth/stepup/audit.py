"""The step-up's audit entries (SECURITY.md 26): decided, started, delivered (channel, masked
destination), every verification, cancelled, and the block a wrong answer may cause — each
with the action and, for money, the amount; never a code. Entries are queued on the step's
write batch (``auth.stores.batch``) and reach the stream with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from redis.client import Pipeline

from auth.ports import StepUpRequest
from auth.scenarios.model import ChallengeType
from auth.service import CHANNEL
from auth.stepup.challenges import Challenge
from auth.stores.audit import AuditLog
from auth.stores.lockout import Kind


def request_of(challenge: Challenge) -> StepUpRequest:
    """The facts an audit entry names when only the stored challenge is at hand."""
    currency, _, amount = challenge.amount.rpartition(" ")
    return StepUpRequest(action=challenge.action, amount=amount, currency=currency)


@dataclass(frozen=True)
class StepUpAudit:
    audit: AuditLog
    clock: Callable[[], datetime]

    def record(
        self,
        pipe: Pipeline,
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
        self.audit.queue(
            pipe,
            event,
            at=self.clock(),
            customer_id=customer_id,
            msisdn=msisdn,
            channel=CHANNEL,
            result=result,
            action=request.action,
            **extra,
        )

    def block(
        self, pipe: Pipeline, msisdn: str, customer_id: str, until: datetime, now: datetime
    ) -> None:
        """The code lockout a wrong answer caused, as the PIN and details blocks are audited
        (staff filter on ``block``)."""
        self.audit.queue(
            pipe,
            "block",
            at=now,
            customer_id=customer_id,
            msisdn=msisdn,
            channel=CHANNEL,
            result="blocked",
            reason=f"5 wrong {Kind.CODE.value} attempts",
            until=until.isoformat(),
        )
