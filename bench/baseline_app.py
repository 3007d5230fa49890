"""The benchmark's baseline: the least any Twilio webhook can do, to compare Teller's with.

A bare Flask app whose ``POST /whatsapp/inbound`` checks the Twilio signature the way Teller
does (``RequestValidator`` over ``PUBLIC_BASE_URL`` + path, the form as parameters; fails
closed with 403) and answers one fixed TwiML message built with ``MessagingResponse``. No Redis,
no bank, no conversation: whatever Teller's webhook costs beyond this is Teller's own work.
gunicorn runs it as ``bench.baseline_app:create_app()`` with the same environment as Teller.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

PATH = "/whatsapp/inbound"
REPLY = "Hello from the baseline."


def create_app(auth_token: str | None = None, public_base_url: str | None = None) -> Flask:
    """Read ``TWILIO_AUTH_TOKEN`` and ``PUBLIC_BASE_URL`` (as Teller does) unless given."""
    token = auth_token or os.environ["TWILIO_AUTH_TOKEN"]
    base_url = (public_base_url or os.environ["PUBLIC_BASE_URL"]).rstrip("/")
    validator = RequestValidator(token)
    app = Flask(__name__)

    @app.post(PATH)
    def inbound() -> Response:
        signature = request.headers.get("X-Twilio-Signature", "")
        url = base_url + request.full_path.rstrip("?")
        if not signature or not validator.validate(url, request.form, signature):
            return Response("invalid signature\n", status=403, mimetype="text/plain")
        # Built per request, as Teller builds its reply, rather than once at start.
        response = MessagingResponse()
        response.message(REPLY)
        return Response(str(response), mimetype="application/xml")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", mimetype="text/plain")

    return app
