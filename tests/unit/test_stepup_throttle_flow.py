"""The step-up sub-flow's answers to the throttle and to ``other`` (``flows.stepup``), pure, with
fakes: a throttled request is kept (the reply says until when, ``retry`` then goes on, even
after the conversation's idle time), ``other`` offers every way as a numbered choice and says
the earlier code no longer works; and which ways a rule offers (``auth.stepup.ways``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from auth.ports import StepUpRequest, StepUpState, StepUpView
from auth.scenarios.model import ChallengeType as T
from auth.scenarios.model import MfaConfig
from auth.stepup.ways import offered
from flows import stepup
from flows.conversation import Conversation
from flows.states import State
from tests.fakes import FakeStepUp
from tests.unit.test_stepup_flow import DONE, NOW, TRANSFER, challenged, ctx, keys, say

SENT = StepUpView(
    StepUpState.SENT,
    "sms_code",
    "+234•••••0001",
    minutes=5,
    can_switch=True,
    ways=("email_code", "authenticator_app", "security_questions"),
)
PAUSED = StepUpView(StepUpState.REFUSED, retry_after_s=25 * 60, until=NOW + timedelta(minutes=25))


@dataclass
class Throttled(FakeStepUp):
    """Refuses the first ``refusals`` starts (too many this hour), then sends a code."""

    refusals: int = 1
    switched_to: list[str] = field(default_factory=list)

    def begin(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        super().begin(msisdn, customer_id, request)
        if self.refusals:
            self.refusals -= 1
            return PAUSED
        return SENT

    def switch(
        self, msisdn: str, customer_id: str, request: StepUpRequest, kind: str = ""
    ) -> StepUpView:
        self.switched_to.append(kind)
        if kind == "authenticator_app":
            return StepUpView(StepUpState.AUTHENTICATOR, kind, can_switch=True, ways=("sms_code",))
        return StepUpView(StepUpState.SENT, kind, "a••••@example.com", minutes=5)


def test_a_throttled_request_is_kept_with_the_time_and_goes_on_after_retry() -> None:
    context = ctx(Throttled())
    outcome = stepup.require(context, TRANSFER, DONE, {"payee": "P1"})
    assert (outcome.state, keys(outcome)) == (State.STEP_UP, ["stepup.too_many"])
    assert outcome.replies[0].params == {"minutes": "25", "until": "02 Nov 09:25 UTC"}
    conv = Conversation(outcome.state, outcome.data, NOW)
    # Anything but retry is reminded of the wait; the request stays.
    reminded, conv = say(context, conv, "123456")
    assert keys(reminded) == ["stepup.paused"]
    assert reminded.replies[0].params == {"until": "02 Nov 09:25 UTC"}
    assert reminded.data["stepup"] == TRANSFER.as_dict()
    # After the wait (longer than the conversation's 15 idle minutes): retry starts the check.
    later = Conversation(conv.state, conv.data, NOW - timedelta(minutes=26))
    started, conv = say(context, later, "retry")
    assert (started.state, keys(started)) == (
        State.STEP_UP,
        ["stepup.sent_sms", "stepup.switch_hint"],
    )
    done, _ = say(context, conv, "123456")
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["tests.done"])
    assert done.replies[0].params == {"payee": "P1"}  # the request's slots, kept throughout


def test_a_kept_request_is_dropped_a_while_after_its_wait() -> None:
    context = ctx(Throttled())
    outcome = stepup.require(context, TRANSFER, DONE, {})
    conv = Conversation(outcome.state, outcome.data, NOW)
    assert stepup.kept(conv, NOW + timedelta(minutes=54))
    assert not stepup.kept(conv, NOW + timedelta(minutes=56))  # 25 + 30 minutes
    assert not stepup.kept(Conversation(State.STEP_UP, {}, NOW), NOW)


def test_yes_also_goes_on_and_an_early_retry_says_the_time_again() -> None:
    context = ctx(Throttled(refusals=2))
    outcome = stepup.require(context, TRANSFER, DONE, {})
    conv = Conversation(outcome.state, outcome.data, NOW)
    again, conv = say(context, conv, "retry")
    assert (again.state, keys(again)) == (State.STEP_UP, ["stepup.too_many"])
    started, _ = say(context, conv, "yes")
    assert keys(started)[0] == "stepup.sent_sms"


def test_other_offers_every_way_as_a_numbered_choice() -> None:
    port = Throttled(refusals=0)
    context = ctx(port)
    conv = challenged(context)
    choice, conv = say(context, conv, "other")
    assert (choice.state, keys(choice)) == (State.STEP_UP, ["stepup.choose_way"])
    assert choice.replies[0].params["choices"] == (
        "1 A code by email\n2 Your authenticator app\n3 Your security questions (on a secure page)"
    )
    switched, conv = say(context, conv, "2")
    assert port.switched_to == ["authenticator_app"]
    assert keys(switched) == ["stepup.switched", "stepup.authenticator", "stepup.switch_hint"]
    # With one other way left, other goes straight to it.
    back, _ = say(context, conv, "other")
    assert port.switched_to[-1] == "sms_code" and keys(back)[0] == "stepup.switched"


def test_a_code_typed_while_choosing_is_still_checked() -> None:
    context = ctx(Throttled(refusals=0))
    conv = challenged(context)
    _, conv = say(context, conv, "other")
    done, _ = say(context, conv, "123456")
    assert keys(done) == ["tests.done"]


def test_the_ways_a_rule_offers() -> None:
    every = frozenset(T)
    config = MfaConfig()
    # SMS, else email: her app and questions too (no weaker than email).
    assert offered((T.SMS_CODE, T.EMAIL_CODE), (T.SMS_CODE, T.EMAIL_CODE), config, every) == (
        T.SMS_CODE,
        T.EMAIL_CODE,
        T.AUTHENTICATOR_APP,
        T.SECURITY_QUESTIONS,
    )
    # Authenticator, else SMS: nothing weaker than SMS.
    strict = (T.AUTHENTICATOR_APP, T.SMS_CODE)
    assert offered(strict, strict, config, every) == strict
    # Only what she set up and the bank enabled.
    assert offered((T.SMS_CODE,), (T.SMS_CODE, T.EMAIL_CODE), config, frozenset({T.SMS_CODE})) == (
        T.SMS_CODE,
    )
    no_app = MfaConfig(enabled_types=(T.SMS_CODE, T.EMAIL_CODE, T.SECURITY_QUESTIONS))
    assert T.AUTHENTICATOR_APP not in offered((T.SMS_CODE,), (T.SMS_CODE,), no_app, every)
    assert offered((), (T.SMS_CODE,), config, every) == ()  # unavailable stays unavailable
