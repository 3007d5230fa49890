"""The cards flow, pure: which card, what may be done to it in its status, lock / unlock /
activate through their step-up, replace with a reason, cancel asked twice, the change-PIN link,
and the bank's refusal. Fakes for every port; states, reply keys and what the ports were asked.
"""

from __future__ import annotations

import pytest

from auth.ports import StepUpRequest
from bank.ports import Card, CardRefused
from flows import cards
from flows.effects import RecordMovement
from flows.states import State
from tests.flow_fakes import Chat, FlowBank, keys, params

CODE = "123456"
ACTIVE = Card("K1", "C001", "5399831234564242", "active")
LOCKED = Card("K2", "C001", "5399831234561111", "locked")
INACTIVE = Card("K3", "C001", "5399831234562222", "inactive")
CANCELLED = Card("K4", "C001", "5399831234563333", "cancelled")


def with_cards(*held: Card) -> Chat:
    return Chat(bank=FlowBank(cards_by_customer={"C001": list(held)}))


def choices(chat: Chat) -> list[str]:
    assert chat.last is not None
    key = next(r.key for r in chat.last.replies)
    return [line.split(" ", 1)[1] for line in params(chat.last, key)["choices"].splitlines()]


# --- which card ---


def test_no_cards() -> None:
    outcome = with_cards().say("cards")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["cards.none"])


def test_one_card_goes_straight_to_what_to_do() -> None:
    outcome = with_cards(ACTIVE).say("cards")
    assert (outcome.state, keys(outcome)) == (State.CARD_ACTION, ["cards.actions"])
    assert outcome.data == {"card": "K1"}


def test_several_cards_ask_which_and_a_wrong_choice_asks_again() -> None:
    chat = with_cards(ACTIVE, LOCKED)
    assert (chat.say("cards").state, keys(chat.last)) == (State.CARDS_LIST, ["cards.list"])
    assert keys(chat.say("3")) == ["fallback.cards_list"]
    assert chat.conv.state is State.CARDS_LIST
    chosen = chat.say("2")
    assert (chosen.state, chosen.data) == (State.CARD_ACTION, {"card": "K2"})


@pytest.mark.parametrize(
    ("card", "offered"),
    [
        (ACTIVE, ("lock", "change_pin", "replace", "cancel")),
        (LOCKED, ("unlock", "replace", "cancel")),
        (INACTIVE, ("activate", "replace", "cancel")),
    ],
    ids=["active", "locked", "inactive"],
)
def test_what_is_offered_follows_the_cards_status(card: Card, offered: tuple[str, ...]) -> None:
    chat = with_cards(card)
    chat.say("cards")
    assert choices(chat) == [cards.LABELS[a] for a in offered]


def test_a_cancelled_card_offers_nothing() -> None:
    outcome = with_cards(CANCELLED).say("cards")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["cards.cancelled"])


def test_a_wrong_action_asks_again() -> None:
    chat = with_cards(ACTIVE)
    chat.say("cards")
    outcome = chat.say("5")
    assert (outcome.state, keys(outcome)) == (State.CARD_ACTION, ["fallback.card_action"])
    assert outcome.data == {"card": "K1"}


def test_a_card_gone_meanwhile() -> None:
    chat = with_cards(ACTIVE)
    chat.say("cards")
    chat.bank.cards_by_customer["C001"] = []
    outcome = chat.say("1")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["cards.gone"])


# --- lock, unlock, activate ---


@pytest.mark.parametrize("typed", ["1", "lock"])
def test_lock_goes_through_its_step_up_then_the_bank(typed: str) -> None:
    chat = with_cards(ACTIVE)
    chat.say("cards")
    challenged = chat.say(typed)
    assert challenged.state is State.STEP_UP
    assert challenged.data["then"] == "cards.execute"
    assert chat.stepup.request == StepUpRequest(
        action="CARD_MANAGEMENT_LOCK_CARD", payee="••4242", account="K1", segment="retail"
    )
    assert chat.bank.card_changes == []
    done = chat.say(CODE)
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["cards.done_lock", "menu.hint"])
    assert params(done, "cards.done_lock") == {"card": "••4242"}
    assert chat.bank.card_changes == [("K1", "lock")]
    assert done.effects == (RecordMovement("card.lock", "success", card="••4242"),)


@pytest.mark.parametrize(
    ("card", "action"), [(LOCKED, "unlock"), (INACTIVE, "activate")], ids=["unlock", "activate"]
)
def test_unlock_and_activate_without_a_step_up(card: Card, action: str) -> None:
    chat = with_cards(card).no_challenge()
    chat.say("cards")
    outcome = chat.say("1")
    assert (outcome.state, keys(outcome)) == (
        State.MAIN_MENU,
        [f"cards.done_{action}", "menu.hint"],
    )
    assert chat.bank.card_changes == [(card.card_id, action)]
    assert chat.stepup.request is not None
    assert chat.stepup.request.action == cards.SCENARIO[action]


def test_the_bank_refusing_the_change() -> None:
    chat = with_cards(ACTIVE).no_challenge()
    chat.bank.card_refusal = CardRefused("K1", "cancelled")
    chat.say("cards")
    outcome = chat.say("lock")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["cards.refused", "menu.hint"])
    assert params(outcome, "cards.refused") == {"status": "cancelled"}
    refused = RecordMovement("card.lock", "refused", reason="card_cancelled", card="••4242")
    assert outcome.effects == (refused,)


def test_a_wrong_code_changes_nothing() -> None:
    chat = with_cards(ACTIVE)
    chat.say("cards", "lock")
    assert keys(chat.say("000000")) == ["stepup.wrong"]
    assert chat.bank.card_changes == []


# --- replace, with a reason ---


def test_replace_asks_the_reason_then_replaces() -> None:
    chat = with_cards(ACTIVE).no_challenge()
    chat.say("cards")
    asked = chat.say("3")
    assert (asked.state, keys(asked)) == (State.CARD_REPLACE_REASON, ["cards.ask_reason"])
    assert keys(chat.say("melted")) == ["fallback.card_replace_reason"]
    assert chat.conv.state is State.CARD_REPLACE_REASON
    done = chat.say("stolen")
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["cards.done_replace", "menu.hint"])
    assert params(done, "cards.done_replace") == {
        "card": "••4242",
        "new": "••9999",
        "reason": "stolen",
    }
    assert chat.stepup.request.action == "CARD_MANAGEMENT_REPLACE_CARD"
    replaced = RecordMovement(
        "card.replace", "success", reason="stolen", card="••4242", new_card="••9999"
    )
    assert done.effects == (replaced,)
    assert "5399831234564242" not in repr(done.effects)  # never a full card number


def test_a_reason_by_number() -> None:
    chat = with_cards(ACTIVE)
    chat.say("cards", "replace")
    outcome = chat.say("1")
    assert outcome.state is State.STEP_UP
    assert outcome.data["slots"]["reason"] == "lost"


# --- cancel, asked twice ---


def test_cancel_is_asked_twice_before_its_step_up() -> None:
    chat = with_cards(ACTIVE).no_challenge()
    chat.say("cards")
    first = chat.say("4")
    assert (first.state, keys(first)) == (State.CARD_CANCEL_CONFIRM, ["cards.cancel_first"])
    sure = chat.say("yes")
    assert (sure.state, keys(sure)) == (State.CARD_CANCEL_CONFIRM, ["cards.cancel_sure"])
    assert chat.bank.card_changes == []
    done = chat.say("yes")
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["cards.done_cancel", "menu.hint"])
    assert chat.bank.card_changes == [("K1", "cancel")]


@pytest.mark.parametrize("answers", [("no",), ("yes", "no")], ids=["first", "second"])
def test_no_keeps_the_card(answers: tuple[str, ...]) -> None:
    chat = with_cards(ACTIVE)
    chat.say("cards", "4")  # "cancel" is the global word
    outcome = chat.say(*answers)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["cards.kept", "menu.hint"])
    assert chat.stepup.calls == []


def test_something_else_at_cancel_asks_again() -> None:
    chat = with_cards(ACTIVE)
    chat.say("cards", "4")  # "cancel" is the global word
    outcome = chat.say("hmm")
    assert (outcome.state, keys(outcome)) == (
        State.CARD_CANCEL_CONFIRM,
        ["fallback.card_cancel_confirm"],
    )


# --- change PIN: a secure page, never the chat ---


def test_change_pin_sends_a_link_after_its_step_up() -> None:
    chat = with_cards(ACTIVE)
    chat.say("cards", "change_pin")
    assert chat.stepup.request.action == "CARD_MANAGEMENT_CHANGE_PIN"
    outcome = chat.say(CODE)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["cards.pin_link"])
    assert params(outcome, "cards.pin_link") == {
        "url": "https://bank.example/secure/cardpin/t1",
        "minutes": "5",
    }
    assert chat.identity.links == ["cardpin"] and chat.bank.card_changes == []


def test_too_many_links() -> None:
    chat = with_cards(ACTIVE).no_challenge()
    chat.identity.refuse_links = True
    chat.say("cards")
    outcome = chat.say("2")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["auth.too_many_links"])
    assert params(outcome, "auth.too_many_links") == {"minutes": "10"}


@pytest.mark.parametrize("state", list(cards.PROMPTS))
def test_every_card_state_can_ask_its_question_again(state: State) -> None:
    chat = with_cards(ACTIVE, LOCKED)
    outcome = cards.PROMPTS[state](chat.ctx, {"card": "K1", "action": "cancel"})
    assert outcome.state is state and len(outcome.replies) == 1
