"""The bank's reads shared within one message: a payment step asks the same rows several times
(the customer's accounts for the source, the check and the summary; the KYC limits for the
amount's check and for what is left today), and each ask was a query of its own.

``SharedReads`` wraps the bank port for ONE message (``flows.engine.handle`` wraps the message's
context): the first ``accounts``, ``payees``, ``limits``, ``other_banks`` or ``profile`` of the
message asks the bank, and a repeat with the same arguments gets that answer. Any other call
(``transfer``, ``hold_for_mobile``, ``change_card``, any other read) forgets every answer first,
so nothing read after a movement is older than the movement. Never kept across messages: the
next message builds a new wrapper and reads fresh, so a balance, a limit or a staff change
applies from the next message on, as before. The bank still checks the limits again inside the
transfer's own transaction (``bank.limits.kyc_guard``): a shared read only words a reply.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import Any, TypeVar, cast

from bank.ports import Account, BankProfile, CoreBanking, LimitStatus, OtherBank, Payee

T = TypeVar("T")


class SharedReads:
    """One message's bank port: the repeated reads above answered once."""

    def __init__(self, bank: CoreBanking) -> None:
        self.inner = bank
        self._answers: dict[Hashable, Any] = {}

    def _once(self, key: Hashable, read: Callable[[], T]) -> T:
        if key not in self._answers:
            self._answers[key] = read()
        return cast(T, self._answers[key])

    def accounts(self, customer_id: str) -> list[Account]:
        # A fresh list each time: a caller may sort or trim its own (the accounts are frozen).
        return list(self._once(("accounts", customer_id), lambda: self.inner.accounts(customer_id)))

    def payees(self, customer_id: str) -> list[Payee]:
        return list(self._once(("payees", customer_id), lambda: self.inner.payees(customer_id)))

    def other_banks(self) -> list[OtherBank]:
        return list(self._once(("other_banks",), self.inner.other_banks))

    def profile(self) -> BankProfile:
        return self._once(("profile",), self.inner.profile)

    def limits(self, customer_id: str, daily_cap: Decimal | None = None) -> LimitStatus:
        return self._once(
            ("limits", customer_id, daily_cap), lambda: self.inner.limits(customer_id, daily_cap)
        )

    def __getattr__(self, name: str) -> Any:
        """Everything else goes to the bank, every shared answer forgotten first."""
        found = getattr(self.inner, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            self._answers.clear()
            return found(*args, **kwargs)

        return call


def shared(bank: CoreBanking) -> CoreBanking:
    """``bank`` wrapped for one message (a bank already wrapped is returned as it is)."""
    if isinstance(bank, SharedReads):
        return cast(CoreBanking, bank)
    return cast(CoreBanking, SharedReads(bank))
