"""The profile flows, pure: the email address, the chat-banking ID and the customer's own daily
limit, each from "Profile & security", through its step-up where one is due. The writes whose
result the reply doesn't need come back as effects (UpdateEmail + SendNotice,
SetPersonalLimit); changing the ID is a command the flow calls, because it can be refused.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from flows import profile
from flows.effects import SendNotice, SetPersonalLimit, UpdateEmail
from flows.states import State
from tests.flow_fakes import Chat, keys, params

CODE = "123456"


def at(choice: str) -> Chat:
    """In Profile & security, having picked ``choice`` (4 email · 5 ID · 6 daily limit)."""
    chat = Chat()
    assert chat.say("profile").state is State.SECURITY_MENU
    chat.say(choice)
    return chat


# --- the email address ---


def test_email_is_asked_for() -> None:
    chat = at("4")
    assert chat.last is not None
    assert (chat.last.state, keys(chat.last)) == (State.PROFILE_EMAIL, ["profile.ask_email"])


@pytest.mark.parametrize("typed", ["amina", "amina@", "a b@example.com", "x@" + "y" * 250 + ".com"])
def test_something_that_isnt_an_email_address_asks_again(typed: str) -> None:
    chat = at("4")
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.PROFILE_EMAIL, ["fallback.profile_email"])
    assert chat.stepup.calls == []


def test_the_same_address_changes_nothing() -> None:
    chat = at("4")
    outcome = chat.say("Amina@Example.com")
    assert (outcome.state, keys(outcome)) == (State.PROFILE_EMAIL, ["profile.same_email"])


def test_a_new_address_after_its_step_up_is_changed_by_effects() -> None:
    chat = at("4")
    challenged = chat.say("amina.y@example.org")
    assert (challenged.state, challenged.data["then"]) == (State.STEP_UP, "profile.email")
    assert chat.stepup.request is not None
    assert chat.stepup.request.action == profile.ACTION
    assert chat.stepup.request.payee.startswith("email ")
    assert "amina.y@example.org" not in chat.stepup.request.payee  # masked
    done = chat.say(CODE)
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["profile.email_changed", "menu.hint"])
    # The bank first, then the notice that says it was changed.
    assert done.effects == (UpdateEmail("amina.y@example.org"), SendNotice("email_changed"))
    assert chat.bank.written == [] and chat.identity.notices == []  # the edge performs them


def test_a_wrong_code_changes_no_address() -> None:
    chat = at("4")
    chat.say("amina.y@example.org")
    outcome = chat.say("000000")
    assert (outcome.state, outcome.effects) == (State.STEP_UP, ())


def test_leaving_the_email_step_up_changes_nothing() -> None:
    chat = at("4")
    chat.say("amina.y@example.org")
    outcome = chat.say("menu")
    assert outcome.state is State.MAIN_MENU
    assert not any(isinstance(e, UpdateEmail) for e in outcome.effects)


def test_no_step_up_needed_changes_it_at_once() -> None:
    chat = at("4").no_challenge()
    outcome = chat.say("amina.y@example.org")
    assert keys(outcome) == ["profile.email_changed", "menu.hint"]
    assert outcome.effects[0] == UpdateEmail("amina.y@example.org")


# --- the chat-banking ID ---


def test_the_id_is_asked_for_and_checked_before_the_step_up() -> None:
    chat = at("5")
    assert chat.conv.state is State.PROFILE_LOGIN_ID
    outcome = chat.say("ab")
    assert (outcome.state, keys(outcome)) == (State.PROFILE_LOGIN_ID, ["profile.bad_login_id"])
    assert params(outcome, "profile.bad_login_id") == {"problems": "Use 6 to 20 letters."}
    assert chat.stepup.calls == []


def test_a_good_id_after_its_step_up_is_changed() -> None:
    chat = at("5")
    challenged = chat.say("amina2026")
    assert (challenged.state, challenged.data["then"]) == (State.STEP_UP, "profile.login_id")
    assert chat.stepup.request.payee == "ID amina2026"
    done = chat.say(CODE)
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["profile.login_id_changed", "menu.hint"])
    assert params(done, "profile.login_id_changed") == {"login_id": "amina2026"}
    # An answering command: identity may refuse it, and the reply says which it was.
    assert chat.identity.notices == ["login_id:amina2026"]
    assert done.effects == ()


def test_an_id_taken_meanwhile_is_refused_and_not_asked_again() -> None:
    chat = at("5").no_challenge()
    chat.identity.taken = {"amina2026"}
    outcome = chat.say("amina2026")
    assert (outcome.state, keys(outcome)) == (
        State.MAIN_MENU,
        ["profile.bad_login_id", "menu.hint"],
    )
    assert "taken" in params(outcome, "profile.bad_login_id")["problems"]


# --- the customer's own daily limit ---


def test_the_limit_is_asked_with_the_banks_and_the_customers_own() -> None:
    chat = at("6")
    assert chat.last is not None and keys(chat.last) == ["profile.ask_limit"]
    assert params(chat.last, "profile.ask_limit") == {
        "bank_limit": "USD 2,000.00",
        "own": "none",
        "left": "USD 2,000.00",
    }
    chat = Chat()
    chat.identity.own_limit = Decimal("300.00")
    chat.say("profile", "6")
    assert params(chat.last, "profile.ask_limit")["own"] == "USD 300.00"


@pytest.mark.parametrize("typed", ["lots", "-5", "0"])
def test_something_that_isnt_an_amount_asks_again(typed: str) -> None:
    chat = at("6")
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.PROFILE_LIMIT, ["fallback.profile_limit"])


@pytest.mark.parametrize("typed", ["2000", "2500.00"])
def test_the_limit_must_be_lower_than_the_banks(typed: str) -> None:
    chat = at("6")
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.PROFILE_LIMIT, ["profile.limit_not_lower"])
    assert outcome.effects == ()


def test_setting_a_first_limit_is_immediate() -> None:
    chat = at("6")
    outcome = chat.say("500")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["profile.limit_set", "menu.hint"])
    assert params(outcome, "profile.limit_set") == {"limit": "USD 500.00"}
    assert outcome.effects == (SetPersonalLimit(Decimal("500.00")),)
    assert chat.stepup.calls == [] and chat.identity.limits_set == []


def test_lowering_a_limit_is_immediate() -> None:
    chat = Chat()
    chat.identity.own_limit = Decimal("500.00")
    outcome = chat.say("profile", "6", "100")
    assert outcome.effects == (SetPersonalLimit(Decimal("100.00")),)
    assert chat.stepup.calls == []


def test_raising_a_limit_goes_through_a_step_up() -> None:
    chat = Chat()
    chat.identity.own_limit = Decimal("100.00")
    challenged = chat.say("profile", "6", "900")
    assert (challenged.state, challenged.data["then"]) == (State.STEP_UP, "profile.limit")
    assert challenged.effects == ()
    done = chat.say(CODE)
    assert keys(done) == ["profile.limit_set", "menu.hint"]
    assert done.effects == (SetPersonalLimit(Decimal("900.00")),)


def test_removing_a_limit_goes_through_a_step_up() -> None:
    chat = Chat()
    chat.identity.own_limit = Decimal("100.00")
    challenged = chat.say("profile", "6", "remove")
    assert challenged.state is State.STEP_UP
    assert chat.stepup.request.payee == "daily limit: the bank's"
    done = chat.say(CODE)
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["profile.limit_removed", "menu.hint"])
    assert done.effects == (SetPersonalLimit(None),)


def test_removing_no_limit() -> None:
    chat = at("6")
    outcome = chat.say("no limit")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["profile.no_limit_to_remove"])
    assert outcome.effects == ()


@pytest.mark.parametrize("state", list(profile.PROMPTS))
def test_every_profile_state_can_ask_its_question_again(state: State) -> None:
    outcome = profile.PROMPTS[state](Chat().ctx, {})
    assert outcome.state is state and len(outcome.replies) == 1
