"""The benchmark's stateful floor: the baseline plus what any de-duplicated, serialised webhook
must ask Redis, and nothing else.

A Twilio webhook that answers a replayed MessageSid with its first reply and handles one
customer's messages one at a time needs, per fresh message, at least two Redis round trips:

1. **claim**, before any work: one ``EVALSHA`` that returns the stored reply if the MessageSid
   was seen (``GET sid``), else takes the customer's lock (``SET lock token NX PX 10000``; taken:
   "busy") and marks the MessageSid in progress (``SET sid "" PX 30000``);
2. **release**, after the work: one ``EVALSHA`` that stores the reply under the MessageSid
   (``SET sid reply EX 172800``) and frees the lock if this request still holds it
   (``GET lock`` = token → ``DEL lock``).

They can't be one: the reply exists only after the work, and the lock must be held during it.
Everything else is the baseline's (``bench.baseline_app``: the same signature check and the
same fixed TwiML message, built per request); the keys are hash-tagged per customer as
Teller's are, and the Redis client has Teller's options (``app.services.redis_clients``). No
conversation, bank, session or log line: whatever Teller costs beyond this is its own work.
gunicorn runs it as ``bench.floor_app:create_app()`` with the same environment as Teller.
"""

from __future__ import annotations

import itertools
import os
import secrets
import time

from flask import Flask, Response, request
from redis import Redis
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bench.baseline_app import PATH, REPLY

SID_KEY = "floor:{{{sender}}}:sid:{sid}"
LOCK_KEY = "floor:{{{sender}}}:lock"
LOCK_TTL_MS = 10_000
IN_PROGRESS_TTL_MS = 30_000
REPLY_TTL_S = 48 * 3600
WAIT_S = 1.5  # a message whose customer is busy waits this long, polling, as Teller's does
_POLL_S = (0.005, 0.01, 0.02, 0.04, 0.08, 0.1)

# KEYS: sid, lock; ARGV: token, lock ttl (ms), in-progress ttl (ms)
_CLAIM = """
local seen = redis.call('GET', KEYS[1])
if seen then return {'dup', seen} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('SET', KEYS[1], '', 'PX', ARGV[3])
  return {'ok', ''}
end
return {'busy', ''}
"""

# KEYS: sid, lock; ARGV: token, reply, reply ttl (s)
_RELEASE = """
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
"""


def create_app(
    auth_token: str | None = None, public_base_url: str | None = None, redis_url: str | None = None
) -> Flask:
    """Read ``TWILIO_AUTH_TOKEN``, ``PUBLIC_BASE_URL`` and ``REDIS_URL`` (as Teller does)."""
    token = auth_token or os.environ["TWILIO_AUTH_TOKEN"]
    base_url = (public_base_url or os.environ["PUBLIC_BASE_URL"]).rstrip("/")
    redis = Redis.from_url(
        redis_url or os.environ["REDIS_URL"],
        decode_responses=True,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
        health_check_interval=30,
    )
    claim = redis.register_script(_CLAIM)
    release = redis.register_script(_RELEASE)
    validator = RequestValidator(token)
    app = Flask(__name__)

    @app.post(PATH)
    def inbound() -> Response:
        signature = request.headers.get("X-Twilio-Signature", "")
        url = base_url + request.full_path.rstrip("?")
        if not signature or not validator.validate(url, request.form, signature):
            return Response("invalid signature\n", status=403, mimetype="text/plain")
        sender = request.form.get("From", "").removeprefix("whatsapp:")
        keys = [
            SID_KEY.format(sender=sender, sid=request.form.get("MessageSid", "")),
            LOCK_KEY.format(sender=sender),
        ]
        holder = secrets.token_hex(16)
        deadline = time.monotonic() + WAIT_S
        for attempt in itertools.count():  # a customer busy in the other worker: wait, as Teller
            status, stored = claim(keys=keys, args=[holder, LOCK_TTL_MS, IN_PROGRESS_TTL_MS])
            if status != "busy" or time.monotonic() >= deadline:
                break
            time.sleep(_POLL_S[min(attempt, len(_POLL_S) - 1)])
        if status == "dup":
            return Response(stored, mimetype="application/xml")
        if status == "busy":
            return Response("busy\n", status=503, mimetype="text/plain")
        response = MessagingResponse()
        response.message(REPLY)
        xml = str(response)
        release(keys=keys, args=[holder, xml, REPLY_TTL_S])
        return Response(xml, mimetype="application/xml")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", mimetype="text/plain")

    return app
