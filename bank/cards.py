"""Card changes in the demo bank: lock, unlock, activate, cancel and replace, each allowed only
from the states it makes sense from (a cancelled card stays cancelled). A replacement is a new
card number (same card range, valid Luhn check digit) that arrives inactive; the old card is
cancelled at once, so a lost or stolen card stops working the moment it is reported.
"""

from __future__ import annotations

import secrets

from bank.ports import Card, CardRefused
from bank.sql import Connection

# action → (the states it may start from, the state it leaves)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "lock": (frozenset({"active"}), "locked"),
    "unlock": (frozenset({"locked"}), "active"),
    "activate": (frozenset({"inactive"}), "active"),
    "cancel": (frozenset({"active", "locked", "inactive"}), "cancelled"),
    "replace": (frozenset({"active", "locked", "inactive"}), "cancelled"),
}
REPLACE_REASONS = ("lost", "stolen", "damaged")


def luhn_digit(body: str) -> str:
    """The check digit that makes ``body`` + digit pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:  # every second digit from the right, counting the missing check
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def _new_pan(db: Connection, like: str) -> str:
    while True:
        body = like[:6] + "".join(secrets.choice("0123456789") for _ in range(len(like) - 7))
        pan = body + luhn_digit(body)
        if db.execute("SELECT 1 FROM cards WHERE pan = ?", (pan,)).fetchone() is None:
            return pan


def change_card(
    db: Connection, customer_id: str, card_id: str, action: str
) -> tuple[Card, Card | None]:
    """(the card after the change, the replacement card if one was made). Inside a write
    transaction; raises CardRefused when the card isn't the customer's or the state forbids."""
    if action not in TRANSITIONS:
        raise ValueError(f"unknown card action {action!r}")
    row = db.execute(
        "SELECT * FROM cards WHERE card_id = ? AND customer_id = ?", (card_id, customer_id)
    ).fetchone()
    if row is None:
        raise CardRefused(card_id, "unknown")
    allowed, after = TRANSITIONS[action]
    if row["status"] not in allowed:
        raise CardRefused(card_id, row["status"])
    db.execute("UPDATE cards SET status = ? WHERE card_id = ?", (after, card_id))
    changed = Card(card_id, customer_id, row["pan"], after)
    if action != "replace":
        return changed, None
    count = db.execute("SELECT COUNT(*) AS n FROM cards").fetchone()["n"]
    new_id = f"K{count + 1}"
    while db.execute("SELECT 1 FROM cards WHERE card_id = ?", (new_id,)).fetchone():
        new_id = f"K{secrets.token_hex(3).upper()}"
    pan = _new_pan(db, row["pan"])
    db.execute(
        "INSERT INTO cards (card_id, customer_id, pan, status) VALUES (?, ?, ?, 'inactive')",
        (new_id, customer_id, pan),
    )
    return changed, Card(new_id, customer_id, pan, "inactive")
