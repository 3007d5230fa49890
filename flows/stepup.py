"""The step-up sub-flow: any flow that needs a challenge calls ``require`` with what the challenge
is for and the name of what to do once it passes; this module talks to the customer meanwhile
and hands control back through ``CONTINUATIONS``.

In STEP_UP the customer replies with the digits alone (spaces allowed), ``resend`` for a new
code, ``other`` for the backup type, or ``cancel`` (a global word). Codes never come into the
chat: the replies only say where a code went (masked). Security questions are answered on a
secure page; when it succeeds the edge resumes the conversation (``resumed``). A request that
changed since the challenge began is refused by the port, so a code can't approve other facts.
Every call here to the step-up port needs its answer (what to say about the challenge); ending
one the customer left needs none, so it is an effect (``leave``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from auth.ports import StepUp, StepUpAnswer, StepUpRequest, StepUpState, StepUpView, Verdict
from flows import secured
from flows.conversation import Conversation
from flows.effects import EndStepUp
from flows.states import State
from flows.types import Context, Outcome, Reply

Continuation = Callable[[Context, Mapping[str, Any]], Outcome]

# What runs after a challenge passes, by name (names, not functions, live in the stored
# conversation). Flows register theirs at import time.
CONTINUATIONS: dict[str, Continuation] = {}

RESEND_WORDS = frozenset({"resend", "send again", "new code", "resend code", "link", "new link"})
SWITCH_WORDS = frozenset({"other", "another way", "switch", "backup", "other way", "email"})

_SENT_KEYS = {"sms_code": "stepup.sent_sms", "email_code": "stepup.sent_email"}


def continuation(name: str) -> Callable[[Continuation], Continuation]:
    """Register what runs when a challenge passes (``@continuation("security.pin_link")``)."""

    def register(fn: Continuation) -> Continuation:
        CONTINUATIONS[name] = fn
        return fn

    return register


def _port(ctx: Context) -> StepUp:
    assert ctx.stepup is not None, "the step-up port is wired by the edge"
    assert ctx.customer is not None
    return ctx.stepup


def require(ctx: Context, request: StepUpRequest, then: str, slots: Mapping[str, Any]) -> Outcome:
    """Start what the MFA scenarios require for ``request``; ``then`` runs once it passes (at
    once when no challenge is needed)."""
    if then not in CONTINUATIONS:
        raise KeyError(f"no continuation {then!r}")
    assert ctx.customer is not None
    view = _port(ctx).begin(ctx.customer.msisdn, ctx.customer.customer_id, request)
    data = {"stepup": request.as_dict(), "then": then, "slots": dict(slots)}
    return _show(ctx, view, data)


def handle(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """STEP_UP (secured): a code, ``resend``, ``other``."""
    port = _port(ctx)
    assert ctx.customer is not None
    msisdn, customer_id = ctx.customer.msisdn, ctx.customer.customer_id
    data = dict(conv.data)
    request = StepUpRequest.from_dict(data.get("stepup") or {})
    if text in RESEND_WORDS:
        return _show(ctx, port.resend(msisdn, customer_id, request), data, again=True)
    if text in SWITCH_WORDS:
        if not data.get("can_switch"):
            return Outcome(State.STEP_UP, (Reply("stepup.no_backup"),), data)
        return _show(ctx, port.switch(msisdn, customer_id, request), data)
    if data.get("kind") == "security_questions":
        return Outcome(State.STEP_UP, (Reply("stepup.questions_pending"),), data)
    digits = text.replace(" ", "").replace("-", "")
    if not (digits.isascii() and digits.isdigit()):
        return Outcome(State.STEP_UP, (Reply("stepup.digits_only"),), data)
    return _answered(ctx, port.answer(msisdn, customer_id, request, digits), data)


def prompt(ctx: Context, data: Mapping[str, Any]) -> Outcome:
    """After a login interrupted the challenge: start it again (a new code)."""
    request = StepUpRequest.from_dict(data.get("stepup") or {})
    then = str(data.get("then", ""))
    if then not in CONTINUATIONS:
        return Outcome(State.MAIN_MENU, (Reply("stepup.expired_start_again"),))
    return require(ctx, request, then, data.get("slots") or {})


def resumed(conv: Conversation, ctx: Context) -> Outcome:
    """The security-questions page succeeded: go on, if it was for exactly this request."""
    port = _port(ctx)
    assert ctx.customer is not None
    request = StepUpRequest.from_dict(conv.data.get("stepup") or {})
    if not port.passed(ctx.customer.msisdn, request):
        return Outcome(State.STEP_UP, (Reply("stepup.questions_pending"),), conv.data)
    return _continue(ctx, conv.data)


def leave(outcome: Outcome) -> Outcome:
    """The customer left the challenge (``cancel``, ``menu``, ``logout``): wherever they go,
    the edge ends it first (``EndStepUp``), so its code stops working."""
    return replace(outcome, effects=(EndStepUp(), *outcome.effects))


def _continue(ctx: Context, data: Mapping[str, Any]) -> Outcome:
    then = CONTINUATIONS.get(str(data.get("then", "")))
    if then is None:
        return Outcome(State.MAIN_MENU, (Reply("stepup.expired_start_again"),))
    return then(ctx, data.get("slots") or {})


def _show(ctx: Context, view: StepUpView, data: dict[str, Any], again: bool = False) -> Outcome:
    if view.state is StepUpState.NOT_NEEDED:
        return _continue(ctx, data)
    data = {**data, "kind": view.kind or data.get("kind", ""), "can_switch": view.can_switch}
    hint = Reply("stepup.switch_hint") if view.can_switch else None
    extras = (hint,) if hint is not None else ()
    if view.state is StepUpState.SENT:
        params = {"destination": view.destination, "minutes": str(view.minutes)}
        key = _SENT_KEYS.get(view.kind, "stepup.sent_sms")
        return Outcome(
            State.STEP_UP, (Reply(key + (".again" if again else ""), params), *extras), data
        )
    if view.state is StepUpState.AUTHENTICATOR:
        return Outcome(State.STEP_UP, (Reply("stepup.authenticator"), *extras), data)
    if view.state is StepUpState.QUESTIONS:
        params = {"url": view.url, "minutes": str(view.minutes)}
        return Outcome(State.STEP_UP, (Reply("stepup.questions", params), *extras), data)
    if view.state is StepUpState.REFUSED and not view.kind:  # too many challenges started
        minutes = str(max(1, -(-view.retry_after_s // 60)))
        return Outcome(State.MAIN_MENU, (Reply("stepup.too_many", {"minutes": minutes}),))
    if view.state is StepUpState.REFUSED:
        if view.retry_after_s:
            reply = Reply("stepup.wait", {"seconds": str(view.retry_after_s)})
        else:
            reply = Reply("stepup.send_limit")
        return Outcome(State.STEP_UP, (reply, *extras), data)
    if view.state is StepUpState.FAILED:
        return Outcome(State.STEP_UP, (Reply("stepup.not_delivered"), *extras), data)
    if view.state is StepUpState.BLOCKED:
        return _blocked(ctx, view.until)
    return Outcome(State.MAIN_MENU, (Reply("stepup.unavailable"), Reply("menu.hint")))


def _answered(ctx: Context, answer: StepUpAnswer, data: dict[str, Any]) -> Outcome:
    verdict = answer.verdict
    if verdict is Verdict.PASSED:
        return _continue(ctx, data)
    if verdict is Verdict.WRONG:
        key = "stepup.wrong_last" if answer.remaining == 1 else "stepup.wrong"
        return Outcome(State.STEP_UP, (Reply(key, {"remaining": str(answer.remaining)}),), data)
    if verdict is Verdict.EXPIRED:
        return Outcome(State.STEP_UP, (Reply("stepup.expired"),), data)
    if verdict is Verdict.BLOCKED:
        return _blocked(ctx, answer.until)
    key = "stepup.mismatch" if verdict is Verdict.MISMATCH else "stepup.exhausted"
    return Outcome(State.MAIN_MENU, (Reply(key), Reply("menu.hint")))


def _blocked(ctx: Context, until: datetime | None) -> Outcome:
    """The customer's code lockout holds: the same words as every other block."""
    return secured.blocked(ctx, "code", until, "stepup.blocked")
