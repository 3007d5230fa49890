"""The conversation engine, pure: no Flask, Redis or clock beyond the values passed in."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from auth.ports import Status
from bank.ports import Account, Customer
from flows import engine
from flows.conversation import Conversation
from flows.menu import ENTRIES, choose, menu_text
from flows.responses import CATALOG, MENU_LABELS, fields, render_all
from flows.router import normalize
from flows.states import State
from flows.types import Context, Inbound, Outcome, Reply
from tests.fakes import FakeBank, FakeIdentity

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)
AMINA = Customer("C001", "Amina Yusuf", "+2348030000001", "amina@example.com", 2)
BANK = FakeBank({"C001": [Account("0123456789", "C001", "savings", "USD", Decimal("2500"))]})
CTX = Context(
    customer=AMINA,
    bank_name="Demo Bank",
    now=NOW,
    bank=BANK,
    identity=FakeIdentity(),
    currency="USD",
    zone=UTC,
)


def run(text: str, conv: Conversation | None = None, ctx: Context = CTX) -> Outcome:
    return engine.handle(conv or Conversation(), Inbound(text), ctx, IDLE)


def keys(outcome: Outcome) -> list[str]:
    return [reply.key for reply in outcome.replies]


def at(state: State, minutes_ago: float = 1) -> Conversation:
    return Conversation(state=state, updated_at=NOW - timedelta(minutes=minutes_ago))


@pytest.mark.parametrize("word", ["hi", "Hello", "MENU", " menu! ", "Hey"])
def test_greetings_show_the_welcome_menu(word: str) -> None:
    outcome = run(word, at(State.CONTACT_MENU))
    assert keys(outcome) == ["welcome"]
    assert outcome.state is State.MAIN_MENU
    assert outcome.replies[0].params["first_name"] == "Amina"


def test_menu_lists_only_flows_that_exist() -> None:
    text = menu_text()
    assert text.splitlines() == [f"{n} {MENU_LABELS[e.key]}" for n, e in enumerate(ENTRIES, 1)]
    assert set(MENU_LABELS) == {e.key for e in ENTRIES}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("9", "tips"),
        ("tips", "tips"),
        ("10", "contact"),
        ("١", "balance"),
        ("balance", "balance"),
        ("3", "statement_pdf"),
        ("statement pdf", "statement_pdf"),
        ("7", "security"),
        ("6", "cards"),
        ("lost card", "cards"),
        ("5", "bill"),
        ("pay bill", "bill"),
        ("4", "transfer"),
        ("send money", "transfer"),
        ("retry", "retry"),
    ],
)
def test_menu_choice_by_number_or_word(text: str, key: str) -> None:
    entry = choose(text)
    assert entry is not None and entry.key == key


@pytest.mark.parametrize("text", ["0", "11", "99", "-1", "1.5", "what is this", "🙂", "12"])
def test_unknown_choice_gets_the_menu_again(text: str) -> None:
    outcome = run(text, at(State.MAIN_MENU))
    assert keys(outcome) == ["fallback.main_menu"]
    assert outcome.state is State.MAIN_MENU


def test_first_message_of_any_kind_gets_a_welcome() -> None:
    assert keys(run("good morning")) == ["welcome"]


def test_contact_sub_menu_transcript() -> None:
    outcome = run("10", at(State.MAIN_MENU))
    assert (outcome.state, keys(outcome)) == (State.CONTACT_MENU, ["contact.menu"])
    mistyped = run("7", at(State.CONTACT_MENU))
    assert (mistyped.state, keys(mistyped)) == (State.CONTACT_MENU, ["fallback.contact_menu"])
    done = run("2", at(State.CONTACT_MENU))
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["contact.fraud", "menu.hint"])


def test_cancel_at_every_state() -> None:
    inside = run("cancel", at(State.CONTACT_MENU))
    assert (inside.state, keys(inside)) == (State.MAIN_MENU, ["cancel.done", "menu"])
    idle = run("Cancel", at(State.MAIN_MENU))
    assert (idle.state, keys(idle)) == (State.MAIN_MENU, ["cancel.nothing", "menu.hint"])


@pytest.mark.parametrize("state", list(State))
def test_help_is_specific_to_every_state(state: State) -> None:
    outcome = run("help", at(state))
    assert keys(outcome) == [f"help.{state.value}"]
    assert outcome.state is state


def test_logout_without_a_session() -> None:
    ctx = replace(CTX, identity=FakeIdentity(status=Status.MISSING))
    assert keys(run("log out", at(State.CONTACT_MENU), ctx)) == ["logout.none"]


def test_idle_conversation_starts_over_and_says_so() -> None:
    outcome = run("9", at(State.CONTACT_MENU, minutes_ago=16))
    assert keys(outcome) == ["idle.reset", "tips", "menu.hint"]  # "9" read on the main menu
    fresh = run("1", at(State.CONTACT_MENU, minutes_ago=14))  # "1" read in Contact us
    assert keys(fresh) == ["contact.call", "menu.hint"]


def test_unknown_number_is_told_politely_and_nothing_is_stored() -> None:
    outcome = run("hi", ctx=replace(CTX, customer=None))
    assert keys(outcome) == ["directory.unknown_number"]
    assert outcome.persist is False


def test_media_and_empty_messages() -> None:
    # A photo alone on the menu: not kept, and the secure upload page instead (flows.kyc).
    media_only = engine.handle(at(State.MAIN_MENU), Inbound("", has_media=True), CTX, IDLE)
    assert keys(media_only) == ["media.not_kept", "kyc.upload_link"]
    with_text = engine.handle(at(State.MAIN_MENU), Inbound("9", has_media=True), CTX, IDLE)
    assert keys(with_text) == ["media.not_kept", "tips", "menu.hint"]
    mid_flow = engine.handle(at(State.CONTACT_MENU), Inbound("", has_media=True), CTX, IDLE)
    assert keys(mid_flow) == ["media.not_kept"] and mid_flow.state is State.CONTACT_MENU
    assert keys(run("   ", at(State.MAIN_MENU))) == ["empty.message"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" Menu! ", "menu"), ("1.", "1"), ("*2*", "2"), ("１", "1"), ("LOG   OUT", "log out")],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_conversation_round_trips_and_bad_records_start_over() -> None:
    conv = Conversation(State.CONTACT_MENU, {"x": 1}, NOW)
    assert Conversation.from_json(conv.to_json()) == conv
    for bad in ["", "{", "[]", '{"state": "gone"}', '{"state": 5}', "null"]:
        assert Conversation.from_json(bad) == Conversation()


def test_every_reply_key_used_by_flows_is_in_the_catalog() -> None:
    used: set[str] = set()
    for path in Path("flows").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Reply"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(node.args[0].value)
    used |= {f"help.{s.value}" for s in State} | {f"fallback.{s.value}" for s in State}
    assert used <= set(CATALOG), used - set(CATALOG)


def test_every_template_renders_without_echoing_input() -> None:
    common = {"bank": "Demo Bank", "base_url": "https://bank.example"}
    for key, template in CATALOG.items():
        params = {name: "x" for name in fields(template)} | common
        assert render_all([Reply(key, params)], common)[0]
