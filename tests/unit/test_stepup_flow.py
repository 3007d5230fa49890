"""The step-up sub-flow (``flows.stepup``) with a fake step-up port — pure: no Flask, Redis or
clock. What the customer may type while a challenge is out, what each answer leads to, and that
leaving the challenge ends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auth.ports import Status, StepUpAnswer, StepUpRequest, StepUpState, StepUpView, Verdict
from bank.ports import Customer
from flows import engine, stepup
from flows.conversation import Conversation
from flows.effects import EndStepUp
from flows.states import State
from flows.types import Context, Inbound, Outcome, Reply
from tests.fakes import FakeBank, FakeIdentity, FakeStepUp

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)
AMINA = Customer("C001", "Amina Yusuf", "+2348030000001", "amina@example.com", 2)
# As ``require`` passes it on: with the customer's segment (Amina is retail).
TRANSFER = StepUpRequest(
    "INTRA_BANK_FUND_TRANSFER_CREATE",
    "100.00",
    "USD",
    "Chidi O. (Access ••4321)",
    "0123456789",
    segment="retail",
)
DONE = "tests.stepup_done"


@stepup.continuation(DONE)
def _done(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    """What a flow does once its challenge passes: here, say so with the slots it kept."""
    return Outcome(State.MAIN_MENU, (Reply("tests.done", {k: str(v) for k, v in slots.items()}),))


@dataclass
class ScriptedStepUp(FakeStepUp):
    """The fake port, with the next answers given in advance (BLOCKED, EXPIRED …)."""

    answers: list[StepUpAnswer] = field(default_factory=list)

    def answer(
        self, msisdn: str, customer_id: str, request: StepUpRequest, text: str
    ) -> StepUpAnswer:
        if not self.answers:
            return super().answer(msisdn, customer_id, request, text)
        self.calls.append(f"answer {text}")
        return self.answers.pop(0)


def ctx(port: FakeStepUp | None = None) -> Context:
    return Context(
        AMINA,
        "Demo Bank",
        NOW,
        bank=FakeBank(),
        identity=FakeIdentity(),
        currency="USD",
        zone=UTC,
        stepup=port if port is not None else FakeStepUp(),
    )


def port_of(context: Context) -> FakeStepUp:
    assert isinstance(context.stepup, FakeStepUp)
    return context.stepup


def keys(outcome: Outcome) -> list[str]:
    return [r.key for r in outcome.replies]


def challenged(context: Context, request: StepUpRequest = TRANSFER) -> Conversation:
    """A transfer asked for its challenge; the conversation now waits in STEP_UP."""
    outcome = stepup.require(context, request, DONE, {"payee": "P1"})
    assert outcome.state is State.STEP_UP
    return Conversation(outcome.state, outcome.data, NOW)


def say(context: Context, conv: Conversation, text: str) -> tuple[Outcome, Conversation]:
    outcome = engine.handle(conv, Inbound(text), context, IDLE)
    return outcome, Conversation(outcome.state, outcome.data, NOW)


# --- starting ---


def test_a_code_sent_is_said_with_where_it_went_and_nothing_else() -> None:
    context = ctx()
    outcome = stepup.require(context, TRANSFER, DONE, {"payee": "P1"})
    assert outcome.state is State.STEP_UP
    assert keys(outcome) == ["stepup.sent_sms", "stepup.switch_hint"]
    assert outcome.replies[0].params == {"destination": "+234•••••0001", "minutes": "5"}
    assert outcome.data["stepup"] == TRANSFER.as_dict()
    assert (outcome.data["then"], outcome.data["slots"]) == (DONE, {"payee": "P1"})
    assert port_of(context).calls == ["begin INTRA_BANK_FUND_TRANSFER_CREATE"]


def test_not_needed_continues_at_once() -> None:
    context = ctx(FakeStepUp(view=StepUpView(StepUpState.NOT_NEEDED)))
    outcome = stepup.require(context, TRANSFER, DONE, {"payee": "P1"})
    assert (outcome.state, outcome.replies) == (
        State.MAIN_MENU,
        (Reply("tests.done", {"payee": "P1"}),),
    )


def test_change_pin_without_a_challenge_goes_straight_to_the_link() -> None:
    context = ctx(FakeStepUp(view=StepUpView(StepUpState.NOT_NEEDED)))
    outcome, _ = say(context, Conversation(State.SECURITY_MENU, {}, NOW), "change pin")
    assert keys(outcome) == ["security.pin_link"]
    assert context.identity.links == ["pin"]  # type: ignore[attr-defined]


def test_an_unknown_continuation_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        stepup.require(ctx(), TRANSFER, "nowhere", {})


# What a code lockout's reply says: until when (the bank's clock), why, and whom to call.
BLOCKED = {
    "until": "02 Nov 09:15 UTC",
    "reason": "too many wrong codes",
    "phone": "+234 201 234 5600",
}


@pytest.mark.parametrize(
    ("view", "state", "expected"),
    [
        (
            StepUpView(StepUpState.SENT, "email_code", "a••••@example.com", minutes=5),
            State.STEP_UP,
            ["stepup.sent_email"],
        ),
        (
            StepUpView(StepUpState.AUTHENTICATOR, "authenticator_app", can_switch=True),
            State.STEP_UP,
            ["stepup.authenticator", "stepup.switch_hint"],
        ),
        (
            StepUpView(StepUpState.FAILED, "sms_code", can_switch=True),
            State.STEP_UP,
            ["stepup.not_delivered", "stepup.switch_hint"],
        ),
        (
            StepUpView(StepUpState.UNAVAILABLE),
            State.MAIN_MENU,
            ["stepup.unavailable", "menu.hint"],
        ),
        (
            StepUpView(StepUpState.BLOCKED, until=NOW + timedelta(minutes=15)),
            State.MAIN_MENU,
            ["stepup.blocked"],
        ),
    ],
    ids=["email", "authenticator", "failed", "unavailable", "blocked"],
)
def test_each_start_is_told(view: StepUpView, state: State, expected: list[str]) -> None:
    outcome = stepup.require(ctx(FakeStepUp(view=view)), TRANSFER, DONE, {})
    assert (outcome.state, keys(outcome)) == (state, expected)
    if view.state is StepUpState.BLOCKED:
        assert outcome.replies[0].params == BLOCKED


# --- answering ---


@pytest.mark.parametrize("typed", ["123456", "123 456", " 12 34 56 ", "123-456"])
def test_digits_with_spaces_are_accepted(typed: str) -> None:
    context = ctx()
    outcome, _ = say(context, challenged(context), typed)
    assert outcome.replies == (Reply("tests.done", {"payee": "P1"}),)
    assert port_of(context).calls[-1] == "answer 123456"


@pytest.mark.parametrize("typed", ["one two three", "12345a", "my code is 123456", "½", "1.5"])
def test_text_that_is_not_digits_is_not_counted(typed: str) -> None:
    context = ctx()
    conv = challenged(context)
    outcome, after = say(context, conv, typed)
    assert (outcome.state, keys(outcome)) == (State.STEP_UP, ["stepup.digits_only"])
    assert after.data == conv.data
    assert not any(call.startswith("answer") for call in port_of(context).calls)


def test_full_width_digits_are_digits() -> None:
    context = ctx()
    outcome, _ = say(context, challenged(context), "１２３４５６")
    assert keys(outcome) == ["tests.done"]


def test_a_wrong_code_says_how_many_tries_are_left_and_warns_before_the_last() -> None:
    context = ctx()
    conv = challenged(context)
    said = []
    for _ in range(4):
        outcome, conv = say(context, conv, "000000")
        assert outcome.state is State.STEP_UP
        said.append((outcome.replies[0].key, outcome.replies[0].params["remaining"]))
    assert said == [
        ("stepup.wrong", "4"),
        ("stepup.wrong", "3"),
        ("stepup.wrong", "2"),
        ("stepup.wrong_last", "1"),
    ]
    outcome, _ = say(context, conv, "000000")  # the fake's fifth: exhausted
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["stepup.exhausted", "menu.hint"])


def test_a_changed_request_is_refused_and_back_to_the_menu() -> None:
    context = ctx()
    conv = challenged(context)
    changed = {**conv.data, "stepup": {**conv.data["stepup"], "amount": "101.00"}}
    outcome, after = say(context, Conversation(State.STEP_UP, changed, NOW), "123456")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["stepup.mismatch", "menu.hint"])
    assert after.data == {}  # the request's slots are gone with it


def test_blocked_while_answering() -> None:
    until = NOW + timedelta(minutes=15)
    context = ctx(ScriptedStepUp(answers=[StepUpAnswer(Verdict.BLOCKED, until=until)]))
    outcome, _ = say(context, challenged(context), "123456")
    assert (outcome.state, outcome.replies) == (
        State.MAIN_MENU,
        (Reply("stepup.blocked", BLOCKED),),
    )


def test_an_expired_code_keeps_the_challenge_open_for_a_resend() -> None:
    context = ctx(ScriptedStepUp(answers=[StepUpAnswer(Verdict.EXPIRED)]))
    outcome, conv = say(context, challenged(context), "123456")
    assert (outcome.state, keys(outcome)) == (State.STEP_UP, ["stepup.expired"])
    outcome, _ = say(context, conv, "resend")
    assert keys(outcome) == ["stepup.sent_sms.again", "stepup.switch_hint"]


# --- resend, other ---


@pytest.mark.parametrize("word", ["resend", "Resend!", "new code", "send again"])
def test_resend(word: str) -> None:
    context = ctx()
    outcome, _ = say(context, challenged(context), word)
    assert outcome.state is State.STEP_UP
    assert keys(outcome) == ["stepup.sent_sms.again", "stepup.switch_hint"]
    assert port_of(context).calls[-1] == "resend"


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (StepUpView(StepUpState.REFUSED, "sms_code", retry_after_s=20), "stepup.wait"),
        (StepUpView(StepUpState.REFUSED, "sms_code", retry_after_s=0), "stepup.send_limit"),
    ],
)
def test_a_refused_resend_says_why(view: StepUpView, expected: str) -> None:
    port = FakeStepUp()
    context = ctx(port)
    conv = challenged(context)
    port.view = view
    outcome, _ = say(context, conv, "resend")
    assert (outcome.state, keys(outcome)) == (State.STEP_UP, [expected])
    if view.retry_after_s:
        assert outcome.replies[0].params == {"seconds": "20"}


def test_other_switches_to_the_backup() -> None:
    context = ctx()
    outcome, conv = say(context, challenged(context), "other")
    assert keys(outcome) == ["stepup.switched", "stepup.sent_email"]
    assert outcome.replies[1].params["destination"] == "a••••@example.com"
    assert port_of(context).calls[-1] == "switch"
    # The backup has no backup of its own: asking again doesn't reach the port.
    outcome, _ = say(context, conv, "other")
    assert keys(outcome) == ["stepup.no_backup"]
    assert port_of(context).calls.count("switch") == 1


def test_other_without_a_backup() -> None:
    only = StepUpView(StepUpState.SENT, "sms_code", "+234•••••0001", minutes=5)
    context = ctx(FakeStepUp(view=only))
    started = stepup.require(context, TRANSFER, DONE, {})
    assert keys(started) == ["stepup.sent_sms"]  # no "other" hint
    outcome, _ = say(context, Conversation(started.state, started.data, NOW), "other")
    assert (outcome.state, keys(outcome)) == (State.STEP_UP, ["stepup.no_backup"])
    assert "switch" not in port_of(context).calls


# --- leaving ---


@pytest.mark.parametrize("word", ["cancel", "menu", "logout", "STOP", "Main menu"])
def test_leaving_the_challenge_ends_it(word: str) -> None:
    context = ctx()
    outcome, _ = say(context, challenged(context), word)
    assert outcome.state is State.MAIN_MENU
    # Ending it is fire-and-forget: the edge performs it, the flow never calls the port.
    assert outcome.effects[0] == EndStepUp()
    assert "cancel" not in port_of(context).calls


def test_help_keeps_the_challenge() -> None:
    context = ctx()
    conv = challenged(context)
    outcome, after = say(context, conv, "help")
    assert (outcome.state, keys(outcome)) == (State.STEP_UP, ["help.step_up"])
    assert after.data == conv.data
    assert outcome.effects == ()
    outcome, _ = say(context, after, "123456")
    assert keys(outcome) == ["tests.done"]


# --- security questions on the secure page ---


QUESTIONS = StepUpView(
    StepUpState.QUESTIONS,
    "security_questions",
    url="https://teller.test/secure/stepup/t1",
    minutes=10,
    can_switch=True,
)


def test_questions_send_the_link_and_digits_are_not_taken_in_the_chat() -> None:
    context = ctx(FakeStepUp(view=QUESTIONS))
    outcome = stepup.require(context, TRANSFER, DONE, {})
    assert keys(outcome) == ["stepup.questions", "stepup.switch_hint"]
    assert outcome.replies[0].params == {
        "url": "https://teller.test/secure/stepup/t1",
        "minutes": "10",
    }
    conv = Conversation(outcome.state, outcome.data, NOW)
    for typed in ("123456", "Queens College"):
        answered, _ = say(context, conv, typed)
        assert (answered.state, keys(answered)) == (State.STEP_UP, ["stepup.questions_pending"])
    assert not any(call.startswith("answer") for call in port_of(context).calls)
    outcome, _ = say(context, conv, "link")  # a new link
    assert keys(outcome) == ["stepup.questions", "stepup.switch_hint"]


def test_after_the_page_the_chat_goes_on_only_if_the_port_says_passed() -> None:
    port = FakeStepUp(view=QUESTIONS)
    context = ctx(port)
    outcome = stepup.require(context, TRANSFER, DONE, {"payee": "P1"})
    conv = Conversation(outcome.state, outcome.data, NOW)
    waiting = engine.resume(conv, context)
    assert (waiting.state, keys(waiting)) == (State.STEP_UP, ["stepup.questions_pending"])
    assert waiting.data == conv.data
    port.questions_passed = True
    other = {**conv.data, "stepup": {**conv.data["stepup"], "payee": "Someone else"}}
    assert keys(engine.resume(Conversation(State.STEP_UP, other, NOW), context)) == [
        "stepup.questions_pending"
    ]
    done = engine.resume(conv, context)
    assert done.replies == (Reply("tests.done", {"payee": "P1"}),)


# --- after a login ---


def test_a_login_in_the_middle_starts_the_challenge_again() -> None:
    port = FakeStepUp()
    context = ctx(port)
    conv = challenged(context)
    expired = Context(
        AMINA, "Demo Bank", NOW, FakeBank(), FakeIdentity(Status.EXPIRED), "USD", UTC, stepup=port
    )
    gated, waiting = say(expired, conv, "123456")
    assert (gated.state, keys(gated)) == (State.AWAIT_AUTH, ["auth.expired_link"])
    assert port.calls == ["begin INTRA_BANK_FUND_TRANSFER_CREATE"]  # the code wasn't tried
    resumed = engine.resume(waiting, context)
    assert keys(resumed) == ["auth.resumed", "stepup.sent_sms", "stepup.switch_hint"]
    assert port.calls[-1] == "begin INTRA_BANK_FUND_TRANSFER_CREATE"
    assert resumed.data["stepup"] == TRANSFER.as_dict()


def test_a_challenge_whose_continuation_is_gone_starts_over() -> None:
    data = {"stepup": TRANSFER.as_dict(), "then": "removed.flow", "slots": {}}
    assert keys(stepup.prompt(ctx(), data)) == ["stepup.expired_start_again"]


def test_too_many_challenges_started_pauses_them() -> None:
    port = FakeStepUp(view=StepUpView(StepUpState.REFUSED, retry_after_s=61))
    outcome = stepup.require(ctx(port), StepUpRequest("PASSWORD_UPDATE"), "security.pin_link", {})
    # The request is kept: the conversation waits in STEP_UP until the customer says retry.
    assert outcome.state is State.STEP_UP
    params = {"minutes": "2", "until": "02 Nov 09:01 UTC"}
    assert outcome.replies == (Reply("stepup.too_many", params),)
