"""Twilio's tap fields parsed from the inbound form: a ButtonPayload or ListId, cleaned and cut
to a list item id's 200 characters; a typed message has none. Whether a tap is read as its id is
the dispatcher's decision (only ids Teller offered)."""

from __future__ import annotations

from bot.inbound import MAX_TAP, parse

FORM = {
    "From": "whatsapp:+2348030000001",
    "MessageSid": "SM" + "a" * 32,
    "Body": "Yes",
    "NumMedia": "0",
}


def test_a_typed_message_has_no_tap() -> None:
    assert parse(FORM).tap == ""


def test_a_button_and_a_list_tap() -> None:
    button = parse({**FORM, "MessageType": "button", "ButtonPayload": "yes", "ButtonText": "Yes"})
    assert (button.tap, button.body) == ("yes", "Yes")
    listed = parse({**FORM, "MessageType": "interactive", "ListId": "4", "ListTitle": "Transfer"})
    assert listed.tap == "4"


def test_a_strange_payload_is_cleaned_and_cut_never_refused() -> None:
    odd = parse({**FORM, "ButtonPayload": "\x00ye\x07s\u200b" + "x" * 500})
    assert odd.tap.startswith("yes") and len(odd.tap) == MAX_TAP
    assert "\x00" not in odd.tap and "\x07" not in odd.tap
