"""Development-only routes (never registered in production, so they are 404 there):
``GET /dev/outbox``, the chat simulator page, and the signer that lets the simulator post to the
real webhook exactly as Twilio would."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from bot.inbound import MAX_BODY, MAX_TAP
from bot.messenger import OutboxMessenger
from bot.wiring import services

bp = Blueprint("dev", __name__)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@bp.get("/dev/outbox")
def outbox() -> ResponseReturnValue:
    graph = services()
    to = request.args.get("to")
    if to is not None and not _E164.fullmatch(to) and "@" not in to:
        return jsonify(error="to: must be a +E164 number or an email address"), 400
    if not isinstance(graph.messenger, OutboxMessenger):
        return jsonify(error="the outbox is off: MESSENGER is not outbox"), 404
    return jsonify(messages=graph.messenger.messages(to))


@bp.get("/simulator")
def simulator() -> ResponseReturnValue:
    graph = services()
    customers = [
        {
            "name": c.name,
            "msisdn": c.msisdn,
            "email": c.email,
            "kyc_level": c.kyc_level,
            "chat_banking": c.chat_banking,
        }
        for c in graph.bank.list_customers()
    ]
    return render_template("simulator.html", bank_name=graph.bank_name, customers=customers)


# How Twilio posts a tap: a quick reply's button, or a list picker's item. Body is its title.
_TAPS = {
    "button": ("button", "ButtonPayload", "ButtonText"),
    "list": ("interactive", "ListId", "ListTitle"),
}


@bp.post("/simulator/sign")
def sign() -> ResponseReturnValue:
    """Build and sign the form Twilio would post for a message from ``from`` saying ``body``,
    or tapping ``tap`` (``{"kind": "button" | "list", "id", "title"}``)."""
    graph = services()
    payload = request.get_json(silent=True) or {}
    sender, body, tap = payload.get("from"), payload.get("body"), payload.get("tap")
    if not isinstance(sender, str) or not _E164.fullmatch(sender):
        return jsonify(error="from: must be a +E164 number such as +2348030000001"), 400
    if not isinstance(body, str) or len(body) > MAX_BODY:
        return jsonify(error=f"body: must be text of at most {MAX_BODY} characters"), 400
    tapped = _tap_fields(tap, body) if tap is not None else {}
    if tapped is None:
        return jsonify(error=f"tap: kind button or list, an id of at most {MAX_TAP}"), 400
    config = graph.config
    params = {
        "From": f"whatsapp:{sender}",
        "To": config.twilio_whatsapp_from,
        "Body": body,
        "MessageSid": f"SM{secrets.token_hex(16)}",
        "AccountSid": config.twilio_account_sid or f"AC{'0' * 32}",
        "NumMedia": "0",
        "ProfileName": "Simulator",
        "WaId": sender.removeprefix("+"),
        **tapped,
    }
    path = "/whatsapp/inbound"
    validator = services().validator
    signature = validator.compute_signature(f"{config.public_base_url}{path}", params)
    return jsonify(url=path, params=params, signature=signature)


def _tap_fields(tap: object, title: str) -> dict[str, str] | None:
    """The fields Twilio adds for a tap, or None if ``tap`` isn't one."""
    if not isinstance(tap, dict) or tap.get("kind") not in _TAPS:
        return None
    tap_id = tap.get("id")
    if not isinstance(tap_id, str) or not tap_id or len(tap_id) > MAX_TAP:
        return None
    message_type, id_field, title_field = _TAPS[str(tap["kind"])]
    return {"MessageType": message_type, id_field: tap_id, title_field: title}
