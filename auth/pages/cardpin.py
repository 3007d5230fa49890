"""``/secure/cardpin/<token>``: a new PIN for one of the customer's cards, typed here and never
in the chat, after the card's step-up (CARD_MANAGEMENT_CHANGE_PIN) in WhatsApp. The bank keeps
only a hash. Mistakes in the new PIN are explained and cost nothing; the link works once.
"""

from __future__ import annotations

import itertools

from flask import request
from flask.typing import ResponseReturnValue

from auth.page_texts import say
from auth.pages.common import gone, opened, page, service
from auth.stores.links import Link, Purpose
from bank.ports import Card, CardRefused
from messaging.masking import mask_card

CARD_PIN_LENGTH = 4


def card_pin_problems(pin: str, repeat: str) -> list[str]:
    """Why a new card PIN is refused, in the current language (empty when it is acceptable)."""
    if not (pin.isascii() and pin.isdigit() and len(pin) == CARD_PIN_LENGTH):
        return [say("problem.card_pin.length", length=CARD_PIN_LENGTH)]
    problems = []
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if len(set(pin)) == 1 or steps in ({1}, {-1}):
        problems.append(say("problem.card_pin.weak"))
    if pin != repeat:
        problems.append(say("problem.pin.mismatch"))
    return problems


def card_pin(token: str) -> ResponseReturnValue:
    found: list[Card] = []

    def active_card(link: Link) -> bool:  # the card the link is for, still active
        card_id = str(link.state.get("card_id", ""))
        cards = service().bank.cards(link.customer_id)
        found.extend(c for c in cards if c.card_id == card_id and c.status == "active")
        return bool(found)

    # No block check on GET: this page asks for no secret the customer already has.
    link = opened(token, Purpose.CARD_PIN, active_card, check_block=False)
    card = found[0]
    shown = mask_card(card.pan)
    if request.method == "GET":
        return page("secure/card_pin.html", token=token, card=shown)
    pin = request.form.get("new_pin", "")[:12]
    problems = card_pin_problems(pin, request.form.get("repeat_pin", "")[:12])
    if problems:
        return page("secure/card_pin.html", 400, token=token, card=shown, problems=problems)
    try:
        service().bank.set_card_pin(
            link.customer_id, card.card_id, service().hasher.hash("card-pin", pin)
        )
    except CardRefused as exc:
        service().audit_link(link, "card.pin", "refused", reason=f"card_{exc.status}", card=shown)
        return gone()
    service().links.consume(link)
    service().audit_link(link, "card.pin", "success", card=shown)
    service().notify(link.msisdn, "card_pin_changed")
    return page("secure/done.html", what="card_pin_changed", resumed=False)
