"""The customer's session, checked in the webhook's claim round trip, served to the flows.

``EdgeStore.begin`` reads the session as the token service would (``auth.stores.sessions``'s
script function) in the same round trip that claims the message, so a secured intent needs no
round trip of its own. For one message, ``Prefetched`` hands the flows an Identity and a StepUp
that answer the *first* token check from that reading, and remember whether it was valid so
that ``EdgeStore.commit`` slides the session (again only if it is still valid then). Any other
call to either port before that check sends the check to the token service as usual: a step-up
answer or a logout may have changed what it would say. Later checks always go to the service.
Fails closed like the service: a reading that isn't ``valid`` is answered as it is.

The daily cap is read once per message too: a payment step asks it several times (the amount's
check, the summary, the bank's request), and its parts (the customer's own limit, the
cooling-off) change only by staff or by the customer's own limit change. That change runs as an
effect after the reply, through the service itself, so nothing of the same message reads the
cap after it (a change through this port would drop the cached one). The next message reads it
fresh, so a change applies from then on, as before.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from auth.ports import (
    Identity,
    IssuedLink,
    LoginRecord,
    Status,
    StepUp,
    StepUpAnswer,
    StepUpRequest,
    StepUpView,
    TokenCheck,
)


class Prefetched:
    """One message's ports, with its session reading; ``slide`` says whether to slide it."""

    def __init__(
        self, identity: Identity, stepup: StepUp | None, msisdn: str, reading: TokenCheck
    ) -> None:
        self._msisdn = msisdn
        self._reading: TokenCheck | None = reading
        self.slide = False  # the reading was used, and was valid: commit slides the session
        self.caps: dict[str, Decimal | None] = {}  # this message's daily cap reads, by number
        self.identity = _Identity(self, identity)
        self.stepup = _StepUp(self, stepup) if stepup is not None else None

    def take(self, msisdn: str) -> TokenCheck | None:
        """The reading, once, for this customer's first check; None otherwise."""
        reading, self._reading = self._reading, None
        if reading is None or msisdn != self._msisdn:
            return None
        self.slide = reading.status is Status.VALID
        return reading

    def spoil(self) -> None:
        """Another call came first: the next check asks the token service."""
        self._reading = None


class _Identity:
    """The Identity port, the first check answered from the reading."""

    def __init__(self, owner: Prefetched, inner: Identity) -> None:
        self._owner = owner
        self._inner = inner

    def check(self, msisdn: str) -> TokenCheck:
        return self._owner.take(msisdn) or self._inner.check(msisdn)

    def link(self, msisdn: str, customer_id: str, purpose: str) -> IssuedLink:
        self._owner.spoil()
        return self._inner.link(msisdn, customer_id, purpose)

    def logout(self, msisdn: str, customer_id: str, *, everywhere: bool = False) -> bool:
        self._owner.spoil()
        return self._inner.logout(msisdn, customer_id, everywhere=everywhere)

    def recent_logins(self, msisdn: str, limit: int = 5) -> list[LoginRecord]:
        self._owner.spoil()
        return self._inner.recent_logins(msisdn, limit)

    def daily_cap(self, msisdn: str) -> Decimal | None:
        self._owner.spoil()
        caps = self._owner.caps
        if msisdn not in caps:
            caps[msisdn] = self._inner.daily_cap(msisdn)
        return caps[msisdn]

    def card_pin_link(self, msisdn: str, customer_id: str, card_id: str) -> IssuedLink:
        self._owner.spoil()
        return self._inner.card_pin_link(msisdn, customer_id, card_id)

    def cooling_off_until(self, msisdn: str) -> datetime | None:
        self._owner.spoil()
        return self._inner.cooling_off_until(msisdn)

    def personal_limit(self, msisdn: str) -> Decimal | None:
        self._owner.spoil()
        return self._inner.personal_limit(msisdn)

    def set_personal_limit(self, msisdn: str, customer_id: str, limit: Decimal | None) -> None:
        self._owner.spoil()
        self._owner.caps.pop(msisdn, None)  # the cap changes with it
        self._inner.set_personal_limit(msisdn, customer_id, limit)

    def login_id_problems(self, msisdn: str, login_id: str) -> list[str]:
        self._owner.spoil()
        return self._inner.login_id_problems(msisdn, login_id)

    def change_login_id(self, msisdn: str, customer_id: str, login_id: str) -> list[str]:
        self._owner.spoil()
        return self._inner.change_login_id(msisdn, customer_id, login_id)

    def notify(self, msisdn: str, what: str) -> None:
        self._owner.spoil()
        self._inner.notify(msisdn, what)


class _StepUp:
    """The StepUp port; any call spoils the reading (an answer may block the customer)."""

    def __init__(self, owner: Prefetched, inner: StepUp) -> None:
        self._owner = owner
        self._inner = inner

    def begin(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        self._owner.spoil()
        return self._inner.begin(msisdn, customer_id, request)

    def answer(
        self, msisdn: str, customer_id: str, request: StepUpRequest, text: str
    ) -> StepUpAnswer:
        self._owner.spoil()
        return self._inner.answer(msisdn, customer_id, request, text)

    def resend(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        self._owner.spoil()
        return self._inner.resend(msisdn, customer_id, request)

    def switch(
        self, msisdn: str, customer_id: str, request: StepUpRequest, kind: str = ""
    ) -> StepUpView:
        self._owner.spoil()
        return self._inner.switch(msisdn, customer_id, request, kind)

    def cancel(self, msisdn: str, customer_id: str) -> None:
        self._owner.spoil()
        self._inner.cancel(msisdn, customer_id)

    def passed(self, msisdn: str, request: StepUpRequest) -> bool:
        self._owner.spoil()
        return self._inner.passed(msisdn, request)
