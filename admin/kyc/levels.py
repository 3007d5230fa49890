"""``kyc_level.put``: a level's per-transaction, daily and monthly limits replaced, or the next
level added (target: the level number; after: the three limits and the reason).

``check`` runs the bank's own rules (``bank.kyc.level_problems``) and one of Teller's: the
lowest level's daily limit never goes under the cooling-off cap. A level's version is a
fingerprint of its limits (the bank keeps no version): a change proposed from limits that have
changed since is ``KycStale``. The impact replays the last 30 days of the level's customers'
movements with the limits in force and with the change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from admin.approvals.kinds import Impact
from admin.kyc import inputs
from admin.kyc.base import KycKind, allowance, limits_text
from admin.kyc.replay import DAYS, WHAT, replay
from auth.scenarios.validate import Invalid
from bank.kyc import LIMITS, level_problems
from bank.ports import KycLevel, KycRefused


def fingerprint(level: KycLevel) -> int:
    """A level's version: the same limits, the same number (32 bits of their SHA-256)."""
    text = "|".join(f"{getattr(level, name):.2f}" for name in LIMITS)
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


class LevelPut(KycKind):
    """Replace a level's per-transaction, daily and monthly limits, or add the next level."""

    kind = "kyc_level.put"

    def snapshot(self, target: str) -> dict[str, Any] | None:
        number = inputs.whole(target)
        level = self.levels().get(number) if number is not None else None
        if level is None:
            return None
        limits = {name: f"{getattr(level, name):.2f}" for name in LIMITS}
        return {**limits, "version": fingerprint(level)}

    def parse(self, target: str, after: Mapping[str, Any]) -> tuple[KycLevel | None, list[str]]:
        """The level ``after`` describes (None: its number or a limit can't be read) and every
        problem reading it, the reason's included."""
        problems: list[str] = []
        inputs.unknown(after, (*LIMITS, "reason"), problems)
        number = inputs.whole(target)
        if number is None or number < 1:
            problems.append("level: a whole number from 1")
        amounts = [inputs.amount(after, name, problems) for name in LIMITS]
        inputs.reason(after, problems)
        per, daily, monthly = amounts
        if number is None or number < 1 or per is None or daily is None or monthly is None:
            return None, problems
        return KycLevel(number, per, daily, monthly), problems

    def check(self, target: str, after: Mapping[str, Any]) -> list[str]:
        level, problems = self.parse(target, after)
        if level is None:
            return problems
        levels = list(self.levels().values())
        rules = level_problems(level, levels)
        cap = self.auth.cooling.get().cap
        lowest = min((other.level for other in levels), default=level.level)
        if not rules and level.level <= lowest and level.daily < cap:
            rules.append(
                f"daily: at least the cooling-off cap ({cap:,.2f}) for the lowest level; "
                "lower the cap first (Cooling-off after registering)"
            )
        return problems + rules

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> None:
        problems = self.check(target, after)
        if problems:
            raise Invalid(problems)
        level, _ = self.parse(target, after)
        assert level is not None  # no problems
        before = self.levels().get(level.level)
        self.refuse_stale(self.snapshot(target), base_version)
        try:
            self.bank.set_kyc_level(level)
        except KycRefused as exc:  # another change got in first
            raise Invalid(exc.problems) from exc
        changed = [n for n in LIMITS if before is None or getattr(before, n) != getattr(level, n)]
        self.record(
            "kyc.level_changed",
            actor,
            level=str(level.level),
            fields=",".join(changed),
            before=limits_text(before) if before else "(new level)",
            after=limits_text(level),
            reason=inputs.reason(after, []),
        )

    def impact(
        self,
        target: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        since: datetime,
    ) -> Impact | None:
        level, problems = self.parse(target, after)
        if level is None:
            return Impact(DAYS, WHAT, note="can't be replayed: " + "; ".join(problems))
        old = self.levels().get(level.level)
        if old is None:
            return Impact(DAYS, WHAT, note="a new level: no customer is at it yet")
        at_level = {c.customer_id for c in self.bank.list_customers() if c.kyc_level == level.level}
        history = self.history.since(since)
        return replay(
            history,
            lambda m: m.customer_id in at_level,
            lambda m: allowance(old),
            lambda m: allowance(level),
        )
