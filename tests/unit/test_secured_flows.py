"""The token check in front of secured intents, and resuming after a login — pure, with a fake
identity port: no Flask, Redis or clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from auth.ports import Status
from bank.ports import Account, Customer, Transaction
from flows import engine
from flows.conversation import Conversation
from flows.effects import LogOutEverywhere
from flows.states import State
from flows.types import Context, Inbound, Outcome
from tests.fakes import FakeBank, FakeIdentity, FakeStepUp

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)
AMINA = Customer("C001", "Amina Yusuf", "+2348030000001", "amina@example.com", 2)
SAVINGS = Account("0123456789", "C001", "savings", "USD", Decimal("2500.00"))
CURRENT = Account("0123450000", "C001", "current", "USD", Decimal("10.50"))
MOVE = Transaction(
    1, SAVINGS.number, Decimal("-150"), Decimal("2350"), "Transfer to Chidi O.", "", NOW, "TX1"
)


def ctx(status: Status = Status.VALID, registered: bool = True, **bank: object) -> Context:
    fake_bank = FakeBank({"C001": [SAVINGS]}, {SAVINGS.number: [MOVE]})
    for name, value in bank.items():
        setattr(fake_bank, name, value)
    identity = FakeIdentity(status=status, registered=registered)
    return Context(
        AMINA,
        "Demo Bank",
        NOW,
        bank=fake_bank,
        identity=identity,
        currency="USD",
        zone=UTC,
        stepup=FakeStepUp(),
    )


def run(text: str, context: Context, conv: Conversation | None = None) -> Outcome:
    return engine.handle(conv or Conversation(updated_at=NOW), Inbound(text), context, IDLE)


def keys(outcome: Outcome) -> list[str]:
    return [r.key for r in outcome.replies]


@pytest.mark.parametrize(
    ("status", "registered", "key", "purpose"),
    [
        (Status.MISSING, False, "auth.register_link", "register"),
        (Status.MISSING, True, "auth.login_link", "login"),
        (Status.EXPIRED, True, "auth.expired_link", "login"),
    ],
)
def test_a_secured_intent_without_a_session_sends_the_right_link(
    status: Status, registered: bool, key: str, purpose: str
) -> None:
    context = ctx(status, registered)
    outcome = run("balance", context)
    assert keys(outcome) == [key]
    assert outcome.state is State.AWAIT_AUTH
    assert outcome.data["resume"] == {"intent": "balance"}
    assert context.identity.links == [purpose]  # type: ignore[attr-defined]
    assert outcome.replies[0].params["url"].startswith("https://")


def test_blocked_customer_is_told_how_to_get_help_and_gets_no_link() -> None:
    context = ctx(Status.BLOCKED)
    outcome = run("1", context)
    assert keys(outcome) == ["auth.blocked"]
    assert context.identity.links == []  # type: ignore[attr-defined]


def test_too_many_links() -> None:
    context = ctx(Status.MISSING, registered=False)
    context.identity.refuse_links = True  # type: ignore[attr-defined]
    outcome = run("balance", context)
    assert keys(outcome) == ["auth.too_many_links"]
    assert outcome.replies[0].params["minutes"] == "10"


def test_valid_session_shows_masked_balances() -> None:
    outcome = run("balance", ctx())
    assert keys(outcome) == ["balance", "menu.hint"]
    assert outcome.replies[0].params["lines"] == "Savings ••6789: USD 2,500.00"


def test_mini_statement_one_account_and_a_choice_between_two() -> None:
    single = run("2", ctx())
    assert keys(single) == ["statement.mini", "menu.hint"]
    assert "−USD 150.00" in single.replies[0].params["lines"]
    two = ctx(accounts_by_customer={"C001": [SAVINGS, CURRENT]})
    ask = run("statement", two)
    assert ask.state is State.STATEMENT_ACCOUNT and ask.data == {"statement_accounts": 2}
    assert "0123456789" not in str(ask)
    wrong = run("7", two, Conversation(State.STATEMENT_ACCOUNT, ask.data, NOW))
    assert keys(wrong) == ["fallback.statement_account"]
    empty = run("2", two, Conversation(State.STATEMENT_ACCOUNT, ask.data, NOW))
    assert keys(empty) == ["statement.empty", "menu.hint"]


def test_expiry_inside_a_secured_state_keeps_its_place() -> None:
    outcome = run("1", ctx(Status.EXPIRED), Conversation(State.SECURITY_MENU, {}, NOW))
    assert outcome.state is State.AWAIT_AUTH
    assert outcome.data["resume"] == {"state": "security_menu", "data": {}}
    resumed = engine.resume(Conversation(outcome.state, outcome.data, NOW), ctx())
    assert keys(resumed) == ["auth.resumed", "security.menu"]
    assert resumed.state is State.SECURITY_MENU


def test_resume_starts_the_interrupted_intent() -> None:
    waiting = run("balance", ctx(Status.MISSING))
    resumed = engine.resume(Conversation(waiting.state, waiting.data, NOW), ctx())
    assert keys(resumed) == ["auth.resumed", "balance", "menu.hint"]


def test_resume_leaves_a_customer_who_moved_on_alone() -> None:
    conv = Conversation(State.CONTACT_MENU, {}, NOW)
    resumed = engine.resume(conv, ctx())
    assert (resumed.state, keys(resumed)) == (State.CONTACT_MENU, ["auth.resumed"])


def test_waiting_for_the_page() -> None:
    waiting = run("balance", ctx(Status.MISSING))
    conv = Conversation(waiting.state, waiting.data, NOW)
    assert keys(run("ok", ctx(Status.MISSING), conv)) == ["fallback.await_auth"]
    assert keys(run("link", ctx(Status.MISSING), conv)) == ["auth.login_link"]
    # Logged in but the resumed reply went astray: any message carries on.
    assert keys(run("ok", ctx(), conv)) == ["auth.resumed", "balance", "menu.hint"]
    assert run("contact", ctx(Status.MISSING), conv).state is State.CONTACT_MENU


def test_logout_word_and_menu_entry() -> None:
    context = ctx()
    assert keys(run("logout", context)) == ["logout.done"]
    assert keys(run("8", context)) == ["logout.none"]
    assert context.identity.logouts == [False, False]  # type: ignore[attr-defined]


def test_security_centre_choices() -> None:
    conv = Conversation(State.SECURITY_MENU, {}, NOW)
    context = ctx()
    assert keys(run("1", context, conv)) == ["security.no_logins", "menu.hint"]
    changing = run("2", context, conv)  # PASSWORD_UPDATE: the step-up first
    assert keys(changing) == ["stepup.sent_sms", "stepup.switch_hint"]
    passed = run("123456", context, Conversation(changing.state, changing.data, NOW))
    assert keys(passed) == ["security.pin_link"]
    everywhere = run("3", context, conv)
    assert keys(everywhere) == ["security.logged_out_everywhere"]
    assert everywhere.effects == (LogOutEverywhere(),)  # the edge performs it
    assert context.identity.logouts == []  # type: ignore[attr-defined]
    assert keys(run("9", ctx(), conv)) == ["fallback.security_menu"]


def test_unknown_number_never_reaches_the_token_check() -> None:
    context = replace(ctx(), customer=None)
    assert keys(run("balance", context)) == ["directory.unknown_number"]
    assert context.identity.links == []  # type: ignore[attr-defined]
