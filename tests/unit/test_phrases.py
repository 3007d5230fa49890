"""One-line requests as customers type them: a table of real phrasings and the Request each one
makes, what is not a request, and properties (any name and amount form, arbitrary text)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.amounts import parse_amount
from flows.phrase_words import CURRENCIES
from flows.phrases import GLUE, Intent, Request, parse
from flows.router import normalize

B, M, P = Intent.BALANCE, Intent.MINI_STATEMENT, Intent.STATEMENT_PDF
T, PAY, BILL = Intent.TRANSFER, Intent.PAY, Intent.BILL
LOCK, UNLOCK = Intent.CARD_LOCK, Intent.CARD_UNLOCK

PHRASINGS: list[tuple[str, Request]] = [
    # balance
    ("bal", Request(B)),
    ("Balance", Request(B)),
    ("balance?", Request(B)),
    ("my balance", Request(B)),
    ("What's my balance?", Request(B)),
    ("what’s my balance", Request(B)),
    ("whats my balance please", Request(B)),
    ("check my balance", Request(B)),
    ("how much money do i have", Request(B)),
    ("balance savings", Request(B, source="savings")),
    ("bal current", Request(B, source="current")),
    ("balance of my savings account", Request(B, source="savings")),
    ("balance account 6789", Request(B, source="6789")),
    ("balance wallet", Request(B, source="wallet")),
    ("balance 6789", Request(B, source="6789")),
    ("balance ••6789", Request(B, source="••6789")),
    ("balance savings ••6789", Request(B, source="savings ••6789")),
    ("balance sheet explained", Request(B, leftover=("sheet explained",))),
    ("balance of all my accounts", Request(B)),
    ("balance please savings", Request(B, source="savings")),
    # mini statement
    ("statement", Request(M)),
    ("mini statement", Request(M)),
    ("Mini-statement", Request(M)),
    ("mini statement savings", Request(M, source="savings")),
    ("statement for current", Request(M, source="current")),
    ("transactions", Request(M)),
    ("mini statement october", Request(M, leftover=("october",))),  # a mini has no period
    ("mini statement savings may 2026", Request(M, source="savings", leftover=("may 2026",))),
    ("statement savings pdf", Request(P, source="savings")),
    # statement PDF
    ("statement pdf", Request(P)),
    ("pdf statement", Request(P)),
    ("Statement (PDF)", Request(P)),
    ("statement pdf october", Request(P, period="october")),
    ("statement pdf oct", Request(P, period="oct")),
    ("pdf statement for october 2026", Request(P, period="october 2026")),
    ("statement pdf last 3 months", Request(P, period="last 3 months")),
    ("statement pdf for the last 30 days", Request(P, period="last 30 days")),
    ("statement pdf last month", Request(P, period="last month")),
    ("statement pdf 10/2026", Request(P, period="10/2026")),
    ("statement pdf savings september", Request(P, source="savings", period="september")),
    ("statement pdf for october from current", Request(P, source="current", period="october")),
    ("statement for october", Request(P, period="october")),  # only the PDF covers a month
    ("statement october pdf", Request(P, period="october")),
    # transfers
    ("transfer", Request(T)),
    ("send money", Request(T)),
    ("send 150 to fatuma", Request(T, amount_text="150", to="fatuma")),
    ("Send 150 to Fatuma", Request(T, amount_text="150", to="fatuma")),
    ("send kes 150 to fatuma", Request(T, amount_text="kes 150", to="fatuma")),
    ("send 150 kes to fatuma", Request(T, amount_text="150 kes", to="fatuma")),
    (
        "transfer 150 to fatuma from savings",
        Request(T, amount_text="150", to="fatuma", source="savings"),
    ),
    (
        "transfer 150 from savings to fatuma",
        Request(T, amount_text="150", to="fatuma", source="savings"),
    ),
    ("transfer 150 to chidi okeke", Request(T, amount_text="150", to="chidi okeke")),
    ("transfer 20 to Chidi Okeke.", Request(T, amount_text="20", to="chidi okeke")),
    ("send money to chidi", Request(T, to="chidi")),
    ("transfer to chidi", Request(T, to="chidi")),
    ("send 50 dollars to chidi", Request(T, amount_text="50 dollars", to="chidi")),
    ("send 2k to chidi", Request(T, amount_text="2k", to="chidi")),
    (
        "send chidi okeke 20 from savings",
        Request(T, amount_text="20", to="chidi okeke", source="savings"),
    ),
    ("send 20 to chidi", Request(T, amount_text="20", to="chidi")),
    ("send chidi 20", Request(T, amount_text="20", to="chidi")),
    ("send to chidi 20", Request(T, amount_text="20", to="chidi")),
    (
        "transfer 1,500.50 to tunde from current",
        Request(T, amount_text="1,500.50", to="tunde", source="current"),
    ),
    ("send $20 to chidi", Request(T, amount_text="$20", to="chidi")),
    ("send $ 20 to chidi", Request(T, amount_text="$ 20", to="chidi")),
    (
        "send usd 20 to chidi from my savings account",
        Request(T, amount_text="usd 20", to="chidi", source="savings"),
    ),
    ("send 20 to chidi from ••6789", Request(T, amount_text="20", to="chidi", source="••6789")),
    ("send 20 to chidi from account 6789", Request(T, amount_text="20", to="chidi", source="6789")),
    ("send 20 to chidi from business", Request(T, amount_text="20", to="chidi", source="business")),
    ("send 20 to my mum", Request(T, amount_text="20", to="mum")),
    ("send 20 to +2348030000001", Request(T, amount_text="20", to="+2348030000001")),
    ("send 20 to 08030000001", Request(T, amount_text="20", to="08030000001")),
    ("please send 150 to fatuma thanks", Request(T, amount_text="150", to="fatuma")),
    ("i want to send 150 to fatuma", Request(T, amount_text="150", to="fatuma")),
    ("can you transfer 50 to tunde please", Request(T, amount_text="50", to="tunde")),
    # an amount the flow refuses later, with a reason (15.00 in some countries)
    ("send 15,00 to chidi", Request(T, amount_text="15,00", to="chidi")),
    (
        "send 50 to chidi for lunch",
        Request(T, amount_text="50", to="chidi", leftover=("for lunch",)),
    ),
    ("pay someone", Request(T)),
    # pay: a payee or a biller, decided by matching
    ("pay chidi 150", Request(PAY, amount_text="150", to="chidi")),
    ("pay 150 to chidi", Request(PAY, amount_text="150", to="chidi")),
    ("pay chidi okeke 1,500", Request(PAY, amount_text="1,500", to="chidi okeke")),
    ("pay kplc 12345678901 50", Request(PAY, amount_text="50", to="kplc", reference="12345678901")),
    ("pay KPLC 12345678901 50", Request(PAY, amount_text="50", to="kplc", reference="12345678901")),
    ("pay kplc 50 12345678901", Request(PAY, amount_text="50", to="kplc", reference="12345678901")),
    ("pay city power 50", Request(PAY, amount_text="50", to="city power")),
    ("pay city power 12345678901", Request(PAY, to="city power", reference="12345678901")),
    ("pay elec 01234567890", Request(PAY, to="elec", reference="01234567890")),
    ("pay elec 1234 $50", Request(PAY, amount_text="$50", to="elec", reference="1234")),
    ("pay water wc12345678 50", Request(PAY, amount_text="50", to="water", reference="wc12345678")),
    (
        "pay 50 to kplc for 12345678901",
        Request(PAY, amount_text="50", to="kplc", reference="12345678901"),
    ),
    (
        "pay kplc 12345678901 50 from acct 6789",
        Request(PAY, amount_text="50", to="kplc", reference="12345678901", source="6789"),
    ),
    (
        "pay kplc meter no 12345678901 50 from savings",
        Request(PAY, amount_text="50", to="kplc", reference="12345678901", source="savings"),
    ),
    # bills
    ("pay bill", Request(BILL)),
    ("pay a bill", Request(BILL)),
    ("bills", Request(BILL)),
    (
        "pay bill elec 12345678901 50",
        Request(BILL, amount_text="50", biller="elec", reference="12345678901"),
    ),
    ("pay bill city power", Request(BILL, biller="city power")),
    (
        "pay city power 12345678901 50 from current",
        Request(PAY, amount_text="50", to="city power", reference="12345678901", source="current"),
    ),
    (
        "pay my kplc bill 12345678901 50",
        Request(BILL, amount_text="50", biller="kplc", reference="12345678901"),
    ),
    ("pay city power bill 50", Request(BILL, amount_text="50", biller="city power")),
    (
        "pay bill to dstv 1234567890 ngn 5,000",
        Request(BILL, amount_text="ngn 5,000", biller="dstv", reference="1234567890"),
    ),
    # cards
    ("lock card 4242", Request(LOCK, card="4242")),
    ("block card 4242", Request(LOCK, card="4242")),
    ("lock my card", Request(LOCK)),
    ("lock my debit card", Request(LOCK)),
    ("card stolen", Request(LOCK)),
    ("lock card ending 4242", Request(LOCK, card="4242")),
    ("freeze my card ••4242", Request(LOCK, card="4242")),
    ("lost card", Request(LOCK)),
    ("I lost my card", Request(LOCK)),
    ("my card was stolen", Request(LOCK)),
    ("unlock card 4242", Request(UNLOCK, card="4242")),
    ("unblock my card", Request(UNLOCK)),
    ("lock card 4242 now", Request(LOCK, card="4242", leftover=("now",))),
]


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[t for t, _ in PHRASINGS])
def test_real_phrasings(text: str, expected: Request) -> None:
    assert parse(normalize(text)) == expected


# fmt: off
NOT_REQUESTS = [
    "", "1", "4", "150", "1,500.50", "$20", "yes", "no", "cards", "profile", "menu", "hi",
    "pay", "hello bank", "482913", "chidi", "thanks",
    "send 20 to chidi 30",  # two amounts: which one?
    "pay chidi 50 to tunde",  # two names
    "pay kplc 12345678901 12345678902",  # two meter-like numbers
    "send 20 from savings from current",
]
# fmt: on


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_not_a_request(text: str) -> None:
    assert parse(normalize(text)) is None


def test_a_pay_becomes_a_transfer_or_a_bill() -> None:
    pay = parse("pay kplc 12345678901 50")
    assert pay is not None
    assert pay.as_bill() == Request(BILL, amount_text="50", biller="kplc", reference="12345678901")
    # A transfer has no reference: the number is said back, not dropped.
    assert pay.as_transfer() == Request(T, amount_text="50", to="kplc", leftover=("12345678901",))


# Words a name may be made of in the properties below: no word the grammar reads itself.
# fmt: off
_RESERVED = {
    "to", "from", "for", "my", "the", "a", "money", "cash", "some", "please", "pls", "plz",
    "thanks", "thx", "bill", "bills", "someone", "ref", "reference", "meter", "smartcard",
    "account", "acc",
} | CURRENCIES  # a payee called "kes" before a number reads as a currency
# fmt: on
_WORD = st.text("abcdefghijklmnopqrstuvwxyzéñ", min_size=1, max_size=9).filter(
    lambda word: word not in _RESERVED
)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
_AMOUNT = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


def _forms(amount: Decimal) -> list[str]:
    return [f"{amount}", f"{amount:,.2f}", f"usd {amount}", f"{amount:,} usd", f"${amount:,.2f}"]


@given(_NAME, _AMOUNT)
def test_any_name_and_amount_form_make_a_transfer(name: str, amount: Decimal) -> None:
    for form in _forms(amount):
        for text in (f"send {form} to {name}", f"transfer {form} to {name} from savings"):
            request = parse(normalize(text))
            assert request is not None and request.intent is T, text
            assert (request.to, request.amount_text) == (name, form), text
            assert parse_amount(form, "USD").value == amount
        request = parse(normalize(f"send {name} {form}"))
        assert request is not None and (request.to, request.amount_text) == (name, form)


@given(_NAME, st.from_regex(r"[1-9][0-9]{10}", fullmatch=True), st.integers(1, 99999))
def test_any_biller_reference_and_amount_make_a_bill(name: str, ref: str, amount: int) -> None:
    pay = parse(normalize(f"pay {name} {ref} {amount}"))
    assert pay == Request(PAY, amount_text=str(amount), to=name, reference=ref)
    bill = parse(normalize(f"pay bill {name} {ref} {amount}"))
    assert bill == Request(BILL, amount_text=str(amount), biller=name, reference=ref)


@given(st.from_regex(r"[0-9]{4}", fullmatch=True), st.sampled_from(["lock", "block", "unlock"]))
def test_any_card_digits(digits: str, verb: str) -> None:
    request = parse(f"{verb} card {digits}")
    assert request is not None and request.card == digits


@given(st.one_of(st.integers(), _AMOUNT.map(str), _AMOUNT.map(lambda a: f"{a:,.2f}")))
def test_a_lone_number_is_an_answer_not_a_request(number: object) -> None:
    assert parse(normalize(str(number))) is None


def _slots(request: Request) -> list[str]:
    found: list[str | None] = [request.amount_text, request.to, request.source, request.biller]
    found += [request.reference, request.period, request.card, *request.leftover]
    return [slot for slot in found if slot is not None]


@given(st.text(max_size=60))
def test_never_raises_and_slots_are_the_customers_own_text(text: str) -> None:
    for typed in (text, normalize(text)):
        request = parse(typed)
        if request is not None:
            assert all(slot and slot in typed for slot in _slots(request))


_CORPUS = st.sampled_from([text for text, _ in PHRASINGS])


@given(_CORPUS.flatmap(lambda text: st.tuples(st.just(text), st.lists(st.booleans()))))
def test_case_and_spacing_never_change_the_request(case: tuple[str, list[bool]]) -> None:
    text, flips = case
    varied = "".join(
        (c.upper() if flips[i % len(flips)] else c) if flips else c for i, c in enumerate(text)
    ).replace(" ", "   ")
    assert parse(normalize(f"  {varied}  ")) == parse(normalize(text))


@given(st.text(st.characters(codec="utf-8"), max_size=40))
def test_words_that_fit_no_slot_are_said_back(tail: str) -> None:
    """Whatever follows a balance request is a slot, glue or leftover: never silently gone."""
    request = parse(normalize(f"balance {tail}"))
    assert request is not None and request.intent is B
    glue = GLUE | {"thank", "you"}
    said = " ".join(_slots(request)).split()
    for word in normalize(tail).split():
        key = word.strip(',;:!?"')
        assert not key or key in glue or any(word in s for s in said), word
