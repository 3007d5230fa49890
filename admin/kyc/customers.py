"""``customer.kyc_level``: a customer moved to another of the bank's KYC levels (target: the
customer id; after: ``{"level": n, "reason": "..."}``), proposed by an operator or an admin.

The version is the customer's level: a change proposed while the customer was at another level
than they are now is ``KycStale``. The audit entry names the customer (their number masked by
the audit), the old and the new level, the actor and the reason. The impact replays the
customer's last 30 days of movements with their level's limits and with the new level's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from admin.approvals.kinds import Impact
from admin.kyc import inputs
from admin.kyc.base import KycKind, allowance
from admin.kyc.replay import DAYS, WHAT, replay
from auth.scenarios.validate import Invalid
from bank.kyc import customer_level_problems
from bank.ports import KycRefused

FIELDS = ("level", "reason")
UNKNOWN = "customer: the bank has no such customer"


@dataclass
class CustomerLevel(KycKind):
    kind = "customer.kyc_level"
    # Called with (customer id, new level) once a level is in force: a KYC review it settles
    # tells the customer (``auth.kyc.service.KycUpgrades.level_applied``).
    applied: list[Callable[[str, int], None]] = field(default_factory=list)

    def snapshot(self, target: str) -> dict[str, Any] | None:
        customer = self.bank.customer(target)
        if customer is None:
            return None
        return {"level": customer.kyc_level, "version": customer.kyc_level}

    def parse(self, target: str, after: Mapping[str, Any]) -> tuple[int | None, list[str]]:
        problems: list[str] = []
        inputs.unknown(after, FIELDS, problems)
        customer = self.bank.customer(target)
        if customer is None:
            problems.append(UNKNOWN)
        level = inputs.whole(after.get("level"))
        if after.get("level") in (None, ""):
            found = ["level: required: choose the new level"]
        else:
            found = customer_level_problems(level, list(self.levels().values()))
        problems += found
        if customer is not None and not found and level == customer.kyc_level:
            problems.append(f"level: {customer.name} is at level {level} already")
        inputs.reason(after, problems)
        return (None if problems else level), problems

    def check(self, target: str, after: Mapping[str, Any]) -> list[str]:
        return self.parse(target, after)[1]

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> None:
        level, problems = self.parse(target, after)
        if level is None:
            raise Invalid(problems)
        before = self.bank.customer(target)
        self.refuse_stale(self.snapshot(target), base_version)
        try:
            self.bank.set_customer_kyc_level(target, level)
        except KycRefused as exc:
            raise Invalid(exc.problems) from exc
        now = self.bank.customer(target)
        if before is None or now is None:  # removed from the bank meanwhile
            raise Invalid([UNKNOWN])
        self.record(
            "customer.kyc_level",
            actor,
            customer_id=target,
            msisdn=now.msisdn,
            level=str(level),
            before=str(before.kyc_level),
            after=str(level),
            reason=inputs.reason(after, []),
        )
        for listener in self.applied:
            listener(target, level)

    def impact(
        self,
        target: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        since: datetime,
    ) -> Impact | None:
        levels = self.levels()
        customer = self.bank.customer(target)
        new = levels.get(inputs.whole(after.get("level")) or 0)
        if customer is None or new is None or customer.kyc_level not in levels:
            return Impact(DAYS, WHAT, note="can't be replayed: the customer or a level is gone")
        old = levels[customer.kyc_level]
        return replay(
            self.history.since(since),
            lambda m: m.customer_id == target,
            lambda m: allowance(old),
            lambda m: allowance(new),
        )
