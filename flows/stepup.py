"""The step-up sub-flow: any flow that needs a challenge calls ``require`` with what the challenge
is for and the name of what to do once it passes; this module talks to the customer meanwhile
and hands control back through ``CONTINUATIONS``.

In STEP_UP the customer replies with the digits alone (spaces allowed), ``resend`` for a new
code, ``other`` for another way (straight to it when there is one; a short numbered choice of
every way they set up when there are more — the earlier code then stops working, and the reply
says so), or ``cancel`` (a global word). When too many checks were started this hour the
request is *kept*: the reply says until when, the conversation waits in STEP_UP (``paused``,
kept past the idle reset until a while after: ``kept``), and ``retry`` (or ``yes``) then starts
the check and goes on. Codes never come into the
chat: the replies only say where a code went (masked). Security questions are answered on a
secure page; when it succeeds the edge resumes the conversation (``resumed``). A request that
changed since the challenge began is refused by the port, so a code can't approve other facts.
Every call here to the step-up port needs its answer (what to say about the challenge); ending
one the customer left needs none, so it is an effect (``leave``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from auth.ports import StepUp, StepUpAnswer, StepUpRequest, StepUpState, StepUpView, Verdict
from flows import secured
from flows.conversation import Conversation
from flows.effects import EndStepUp
from flows.format import short_time
from flows.moving import numbered
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging.languages import text as in_language

Continuation = Callable[[Context, Mapping[str, Any]], Outcome]

# What runs after a challenge passes, by name (names, not functions, live in the stored
# conversation). Flows register theirs at import time.
CONTINUATIONS: dict[str, Continuation] = {}

RESEND_WORDS = frozenset({"resend", "send again", "new code", "resend code", "link", "new link"})
SWITCH_WORDS = frozenset({"other", "another way", "switch", "backup", "other way", "email"})
RETRY_WORDS = frozenset({"retry", "yes", "try again", "again", "go on", "continue", "ok"})
# A paused request is kept this long after its wait ends, even past the conversation's idle
# reset (the wait can be longer than it); then it is dropped like any idle conversation.
KEPT_AFTER_WAIT = timedelta(minutes=30)
# How each way reads in the numbered choice (never a destination: the reply after says it).
WAY_LABELS = {
    "sms_code": "A code by SMS",
    "email_code": "A code by email",
    "authenticator_app": "Your authenticator app",
    "security_questions": "Your security questions (on a secure page)",
}

_SENT_KEYS = {"sms_code": "stepup.sent_sms", "email_code": "stepup.sent_email"}
_STARTED = frozenset({StepUpState.SENT, StepUpState.AUTHENTICATOR, StepUpState.QUESTIONS})


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
    # Every flow's request gets the customer's segment here: it picks the scenarios' application.
    request = replace(request, segment=ctx.customer.segment)
    view = _port(ctx).begin(ctx.customer.msisdn, ctx.customer.customer_id, request)
    data = {"stepup": request.as_dict(), "then": then, "slots": dict(slots)}
    return _show(ctx, view, data)


def handle(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """STEP_UP (secured): a code, ``resend``, ``other`` (and a way's number), ``retry``."""
    port = _port(ctx)
    assert ctx.customer is not None
    msisdn, customer_id = ctx.customer.msisdn, ctx.customer.customer_id
    data = dict(conv.data)
    request = StepUpRequest.from_dict(data.get("stepup") or {})
    if data.get("paused_until"):
        return _paused(ctx, text, data)
    ways = [str(w) for w in data.get("ways") or []]
    if data.get("choosing") and text.isdigit() and 1 <= int(text) <= len(ways):
        return _switched(ctx, port.switch(msisdn, customer_id, request, ways[int(text) - 1]), data)
    if text in RESEND_WORDS:
        return _show(ctx, port.resend(msisdn, customer_id, request), data, again=True)
    if text in SWITCH_WORDS:
        if not data.get("can_switch"):
            return Outcome(State.STEP_UP, (Reply("stepup.no_backup"),), data)
        if len(ways) > 1:
            labels = [in_language(f"stepup_way.{w}", WAY_LABELS.get(w, w)) for w in ways]
            choose = numbered("stepup.choose_way", labels)
            return Outcome(State.STEP_UP, (choose,), {**data, "choosing": True})
        return _switched(ctx, port.switch(msisdn, customer_id, request, *ways[:1]), data)
    if data.get("kind") == "security_questions":
        return Outcome(State.STEP_UP, (Reply("stepup.questions_pending"),), data)
    digits = text.replace(" ", "").replace("-", "")
    if not (digits.isascii() and digits.isdigit()):
        return Outcome(State.STEP_UP, (Reply("stepup.digits_only"),), data)
    return _answered(ctx, port.answer(msisdn, customer_id, request, digits), data)


def kept(conv: Conversation, now: datetime) -> bool:
    """A request paused by the throttle (in STEP_UP, or waiting for a login to go on) outlives
    the conversation's idle reset until ``KEPT_AFTER_WAIT`` after its wait ends."""
    data: Mapping[str, Any] = conv.data
    if conv.state is State.AWAIT_AUTH:
        data = (data.get("resume") or {}).get("data") or {}
    until = data.get("paused_until")
    if conv.state not in (State.STEP_UP, State.AWAIT_AUTH) or not isinstance(until, str):
        return False
    try:
        return now < datetime.fromisoformat(until) + KEPT_AFTER_WAIT
    except ValueError:
        return False


def _paused(ctx: Context, text: str, data: dict[str, Any]) -> Outcome:
    """The request waits for the throttle: ``retry`` starts its check (it may still be early:
    then the reply says until when again); anything else is reminded of the wait."""
    if text in RETRY_WORDS or text in RESEND_WORDS:
        data.pop("paused_until", None)
        return prompt(ctx, data)
    until = datetime.fromisoformat(str(data["paused_until"]))
    reply = Reply("stepup.paused", {"until": short_time(until, ctx.zone)})
    return Outcome(State.STEP_UP, (reply,), data)


def _switched(ctx: Context, view: StepUpView, data: dict[str, Any]) -> Outcome:
    """Another way started: the earlier code (or link) no longer works, and the reply says so
    before saying where the new one went."""
    outcome = _show(ctx, view, {**data, "choosing": False})
    if outcome.state is not State.STEP_UP or view.state not in _STARTED:
        return outcome
    return replace(outcome, replies=(Reply("stepup.switched"), *outcome.replies))


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
    data = {
        **data,
        "kind": view.kind or data.get("kind", ""),
        "can_switch": view.can_switch,
        "ways": list(view.ways) if view.kind else data.get("ways", []),
    }
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
    if view.state is StepUpState.REFUSED and not view.kind:  # too many checks started: kept
        until = view.until or ctx.now + timedelta(seconds=view.retry_after_s)
        minutes = str(max(1, -(-view.retry_after_s // 60)))
        params = {"minutes": minutes, "until": short_time(until, ctx.zone)}
        paused = {**data, "paused_until": until.isoformat(), "choosing": False}
        return Outcome(State.STEP_UP, (Reply("stepup.too_many", params),), paused)
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
