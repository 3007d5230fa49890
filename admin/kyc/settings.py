"""``kyc_settings.put``: the cooling-off after registering — how many hours a new registration
runs on lower limits and the daily cap meanwhile (target ""; after: ``hours``, ``cap`` and the
reason).

The rules are the settings store's (``auth.cooling_off``: hours 0-720, the cap more than 0 with
2 decimals and at most the lowest level's daily limit); its version makes a change proposed
from older settings ``KycStale``. The impact replays the last 30 days of movements made by
customers while either period (the one in force, the one proposed) ran after their
registration, with each period and cap on top of their level's limits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from admin.approvals.kinds import Impact
from admin.kyc import inputs
from admin.kyc.base import KycKind, KycStale, allowance
from admin.kyc.replay import DAYS, WHAT, Allowance, Movement, Rule, replay
from auth.cooling_off import (
    CoolingOff,
    CoolingOffRefused,
    StaleCoolingOff,
    ceiling_of,
    cooling_off_problems,
)
from auth.scenarios.validate import Invalid

FIELDS = ("hours", "cap", "reason")


def _text(settings: CoolingOff) -> str:
    return f"hours={settings.hours} cap={settings.cap:.2f}"


class SettingsPut(KycKind):
    kind = "kyc_settings.put"

    def snapshot(self, target: str) -> dict[str, Any] | None:
        now = self.auth.cooling.get()
        return {"hours": now.hours, "cap": f"{now.cap:.2f}", "version": now.version}

    def parse(self, target: str, after: Mapping[str, Any]) -> tuple[CoolingOff | None, list[str]]:
        problems: list[str] = []
        inputs.unknown(after, FIELDS, problems)
        if target != "":
            problems.append('target: the cooling-off settings are one value: target ""')
        hours = inputs.whole(after.get("hours"))
        cap = inputs.amount(after, "cap", problems)
        for problem in cooling_off_problems(hours, cap, ceiling_of(self.bank)):
            if cap is not None or not problem.startswith("cap:"):  # amount() said it already
                problems.append(problem)
        inputs.reason(after, problems)
        if problems or hours is None or cap is None:
            return None, problems
        return CoolingOff(hours, cap), []

    def check(self, target: str, after: Mapping[str, Any]) -> list[str]:
        return self.parse(target, after)[1]

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> None:
        wanted, problems = self.parse(target, after)
        if wanted is None:
            raise Invalid(problems)
        before = self.auth.cooling.get()
        try:
            stored = self.auth.cooling.put(wanted.hours, wanted.cap, base_version)
        except StaleCoolingOff as exc:
            current = exc.current
            snapshot = {"hours": current.hours, "cap": f"{current.cap:.2f}"}
            raise KycStale({**snapshot, "version": current.version}, current.version) from exc
        except CoolingOffRefused as exc:
            raise Invalid(exc.problems) from exc
        changed = [n for n in ("hours", "cap") if getattr(before, n) != getattr(stored, n)]
        self.record(
            "kyc.settings_changed",
            actor,
            fields=",".join(changed),
            before=_text(before),
            after=_text(stored),
            reason=inputs.reason(after, []),
        )

    def impact(
        self,
        target: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        since: datetime,
    ) -> Impact | None:
        wanted, problems = self.parse(target, after)
        if wanted is None:
            return Impact(DAYS, WHAT, note="can't be replayed: " + "; ".join(problems))
        now = self.auth.cooling.get()
        levels = self.levels()
        customers = {c.customer_id: c for c in self.bank.list_customers()}
        registered: dict[str, datetime | None] = {}

        def registered_at(customer_id: str) -> datetime | None:
            if customer_id not in registered:
                customer = customers.get(customer_id)
                facts = self.auth.credentials.limit_facts(customer.msisdn) if customer else None
                registered[customer_id] = facts[0] if facts else None
            return registered[customer_id]

        def within(settings: CoolingOff) -> Callable[[Movement], bool]:
            def test(m: Movement) -> bool:
                start = registered_at(m.customer_id)
                return start is not None and start <= m.at < start + settings.period

            return test

        def rule(settings: CoolingOff) -> Rule:
            def limits(m: Movement) -> Allowance:
                level = levels[customers[m.customer_id].kyc_level]
                base = allowance(level)
                if not within(settings)(m):
                    return base
                return Allowance(base.per_transaction, min(base.daily, settings.cap), base.monthly)

            return limits

        def concerned(m: Movement) -> bool:
            customer = customers.get(m.customer_id)
            if customer is None or customer.kyc_level not in levels:
                return False
            return within(now)(m) or within(wanted)(m)

        return replay(self.history.since(since), concerned, rule(now), rule(wanted))
