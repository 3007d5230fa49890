"""Staff actions on one customer's chat banking: block it (or mark the phone lost), restore it,
lift a lockout, reset the registration, end the sessions.

One rule for every way staff reach them — the ``flask auth`` commands, the staff console, the
admin API. Each action says why it doesn't apply (``Refused``, worded to follow the customer:
"Amina Yusuf has not registered for chat banking: nothing to block"), needs a reason of 5-200
characters, and is audited ``customer.<action>`` with the staff actor, the channel and the
reason. None touches the customer's money or bank data: only the chat-banking access Teller
keeps in Redis. Fails closed: a Redis error propagates and nothing is reported done.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from auth.registration import CODE_PURPOSE as REGISTER_CODES
from auth.service import AuthService
from auth.stepup.challenges import CODE_PURPOSE as STEPUP_CODES
from auth.stepup.challenges import ChallengeStore
from auth.stores.credentials import BLOCKED_BY_BANK, AccountStatus, StatusRefused
from auth.stores.lockout import Kind
from messaging.notices import bank_time

REASON_MIN = 5
REASON_MAX = 200
# A run of 7 or more digits (spaces or dashes between allowed) is an account, card or phone
# number: the audit keeps none in full, so a reason holding one is refused.
_LONG_NUMBER = re.compile(r"[0-9](?:[ -]?[0-9]){6,}")


class Refused(Exception):
    """The action doesn't apply; ``why`` follows the customer's name ("… has not registered
    for chat banking: nothing to block") and says what to do instead where there is something.
    ``field`` names the input at fault ("reason"), or is empty."""

    def __init__(self, why: str, field: str = "") -> None:
        super().__init__(why)
        self.why = why
        self.field = field


@dataclass(frozen=True)
class Actor:
    """Who acts and how: a staff username (``automation:<X-Admin-User>`` for the shared API key,
    ``cli`` for the commands), the channel the audit names (``console``, ``api``, ``cli``) and,
    over HTTP, the address the request came from."""

    name: str
    channel: str
    address: str = ""


def clean_reason(text: str) -> str:
    """The reason as it is stored: whitespace (newlines too) collapsed to single spaces."""
    return " ".join(text.split())


def reason_problem(text: str) -> str | None:
    """Why ``text`` can't be an action's reason, or None."""
    reason = clean_reason(text)
    if len(reason) < REASON_MIN:
        return f"Say why, in {REASON_MIN} to {REASON_MAX} characters (it goes in the audit log)."
    if len(reason) > REASON_MAX:
        return f"Keep it to {REASON_MAX} characters ({len(reason)} now)."
    if _LONG_NUMBER.search(reason):
        return (
            "Leave out full account, card or phone numbers: the audit log keeps none. "
            "Write the last 4 digits instead."
        )
    return None


def _reason(text: str) -> str:
    problem = reason_problem(text)
    if problem is not None:
        raise Refused(problem, field="reason")
    return clean_reason(text)


@dataclass(frozen=True)
class CustomerCare:
    auth: AuthService
    challenges: ChallengeStore

    def block(
        self, msisdn: str, customer_id: str, reason: str, by: Actor, *, lost_phone: bool = False
    ) -> AccountStatus:
        """Block chat banking until staff restore it; the session, links and any step-up end.
        A lost phone gets no SMS: whoever holds it would read it."""
        why = _reason(reason)
        status = AccountStatus.LOST_PHONE if lost_phone else AccountStatus.BLOCKED
        try:
            self.auth.credentials.transition(
                msisdn, frozenset({AccountStatus.REGISTERED}), status, why
            )
        except StatusRefused as exc:
            if exc.current is None:
                raise Refused("has not registered for chat banking: nothing to block") from exc
            raise Refused(f"is already blocked by the bank ({_status(exc.current)})") from exc
        self._end_access(msisdn, customer_id, by)
        self._record("customer.block", msisdn, customer_id, by, why, kind=status.value)
        if not lost_phone:
            self.auth.notify_staff(msisdn, "blocked_by_bank")
        return status

    def restore(self, msisdn: str, customer_id: str, reason: str, by: Actor) -> None:
        """Undo a block by the bank (or a lost phone): chat banking works again after a login."""
        why = _reason(reason)
        try:
            self.auth.credentials.transition(msisdn, BLOCKED_BY_BANK, AccountStatus.REGISTERED, "")
        except StatusRefused as exc:
            if exc.current is None:
                raise Refused("has not registered for chat banking: nothing to unblock") from exc
            until = self.auth.blocked_until(msisdn)
            hint = (
                f" (a lockout holds until {bank_time(until, self.auth.zone)}: lift it instead)"
                if until
                else ""
            )
            raise Refused(f"is not blocked by the bank: nothing to unblock{hint}") from exc
        self._record("customer.unblock", msisdn, customer_id, by, why)
        self.auth.notify_staff(msisdn, "restored_by_bank")

    def lift_lockout(
        self,
        msisdn: str,
        customer_id: str,
        reason: str,
        by: Actor,
        kinds: Iterable[Kind] = tuple(Kind),
    ) -> list[Kind]:
        """Lift the blocks and failure counts of ``kinds`` that have either; returns those lifted.
        The strike count stays, so a next block is still longer."""
        why = _reason(reason)
        wanted = set(kinds)
        standing = self.auth.lockouts.standing(msisdn, self.auth.clock())
        lifted = [s.kind for s in standing if s.kind in wanted and s.liftable]
        if not lifted:
            raise Refused("has no lockout in force and no failed attempts counted: nothing to lift")
        self.auth.lockouts.lift(msisdn, lifted)
        kind = ",".join(k.value for k in lifted)
        self._record("customer.lift_lockout", msisdn, customer_id, by, why, kind=kind)
        return lifted

    def reset_registration(self, msisdn: str, customer_id: str, reason: str, by: Actor) -> None:
        """The customer registers again: credentials removed (the chat-banking ID released), the
        session, links, step-up and codes ended. Lockouts stay (a reset is no way around one);
        a block by the bank is refused: resetting would lift it."""
        why = _reason(reason)
        creds = self.auth.credentials.get(msisdn)
        if creds is None:
            raise Refused("has not registered for chat banking: nothing to reset")
        if creds.status in BLOCKED_BY_BANK:
            raise Refused(
                f"is blocked by the bank ({_status(creds.status)}): a reset would lift the block. "
                "Unblock first if this number should register again"
            )
        self.auth.credentials.delete(msisdn)
        self.auth.codes.discard(msisdn, REGISTER_CODES)
        self._end_access(msisdn, customer_id, by)
        self._record("customer.reset_registration", msisdn, customer_id, by, why)
        self.auth.notify_staff(msisdn, "registration_reset")

    def end_sessions(self, msisdn: str, customer_id: str, reason: str, by: Actor) -> bool:
        """Log the customer out everywhere: the session, every outstanding link and any step-up
        end. True when a session was live (the links end either way)."""
        why = _reason(reason)
        had_session = self._end_access(msisdn, customer_id, by)
        result = "ok" if had_session else "no_session"
        self._record("customer.end_sessions", msisdn, customer_id, by, why, result=result)
        return had_session

    def _end_access(self, msisdn: str, customer_id: str, by: Actor) -> bool:
        had_session = self.auth.logout(msisdn, customer_id, everywhere=True, channel=by.channel)
        self.challenges.end(msisdn)
        self.auth.codes.discard(msisdn, STEPUP_CODES)
        return had_session

    def _record(
        self,
        event: str,
        msisdn: str,
        customer_id: str,
        by: Actor,
        reason: str,
        result: str = "ok",
        **detail: str,
    ) -> None:
        if by.address:
            detail["address"] = by.address
        self.auth.audit.record(
            event,
            at=self.auth.clock(),
            customer_id=customer_id,
            msisdn=msisdn,
            channel=by.channel,
            result=result,
            actor=by.name,
            reason=reason,
            **detail,
        )


def _status(status: AccountStatus) -> str:
    return "phone reported lost" if status is AccountStatus.LOST_PHONE else "blocked"
