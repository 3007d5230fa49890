"""What the KYC appliers share: the bank, the identity service (the cooling-off settings, the
audit, the clock, registrations), the movement replay, the audit entry of an apply and the
stale check. ``KycStale``: a change proposed from a value that has changed since."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from admin.approvals.outcomes import Outdated
from admin.kyc.replay import Allowance, MovementReader
from auth.service import AuthService
from bank.kyc import LIMITS
from bank.ports import CoreBanking, KycLevel

CHANNEL = "console"


class KycStale(Outdated):
    """Proposed from a value that has changed since (``current``, the value now, at
    ``version``): four eyes' ``Outdated``, so an approval of it supersedes the change."""


def allowance(level: KycLevel) -> Allowance:
    return Allowance(level.per_transaction, level.daily, level.monthly)


def limits_text(level: KycLevel) -> str:
    """A level's limits for the audit: ``per_transaction=500.00 daily=1000.00 ...``."""
    return " ".join(f"{name}={getattr(level, name):.2f}" for name in LIMITS)


@dataclass
class KycKind:
    bank: CoreBanking
    auth: AuthService
    history: MovementReader

    def levels(self) -> dict[int, KycLevel]:
        return {level.level: level for level in self.bank.kyc_levels()}

    def record(
        self, event: str, actor: str, customer_id: str = "", msisdn: str = "", **detail: str
    ) -> None:
        """The audit entry of an apply (staff fields only, never a customer's data)."""
        self.auth.audit.record(
            event,
            at=self.auth.clock(),
            customer_id=customer_id,
            msisdn=msisdn,
            channel=CHANNEL,
            result="ok",
            actor=actor,
            **detail,
        )

    def refuse_stale(self, current: dict[str, Any] | None, base_version: int | None) -> None:
        """``KycStale`` when the change was made from another version than ``current``'s."""
        if base_version is None or current is None:
            return
        if current.get("version") != base_version:
            raise KycStale(current, int(current.get("version") or 0))
