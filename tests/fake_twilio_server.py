"""A fake Twilio REST server on loopback, for fault tests that go through the real network path.

It speaks the part of Twilio's Messages API Teller uses: ``POST
/2010-04-01/Accounts/<sid>/Messages.json`` with form fields and HTTP basic auth, answered with
JSON shaped like Twilio's (201 and a message resource; errors as ``{"code", "message",
"more_info", "status"}``). A test switches it to fail: per call (``fail_next``) or for every
call (``fail_all``), with one of ``Fault`` — 500, 503, 429 with ``Retry-After``, a reset
connection, a hang, or the ambiguous ones (accepted, then a 500 or a reset: the message went out
but the client cannot know).

Templates go as Twilio takes them: ``ContentSid`` and ``ContentVariables`` (JSON) instead of a
``Body``; both are recorded. WhatsApp's 24-hour window is played too: a number put in
``window_closed`` has its free-form WhatsApp messages accepted (201, ``queued``) and then failed
the way Twilio reports it, by a status callback ``failed`` with ``ErrorCode`` 63016 — queued in
``callbacks`` for the test to post to the app's ``StatusCallback`` URL.

``LoopbackTwilioHttp`` points Twilio's own HTTP client (``TwilioHttpClient``: requests, its
session, its timeout) at the server by rewriting the API's host, the way Twilio's docs suggest
for a proxy (a custom ``http_client``). Everything else — serialization, auth, error parsing —
is the SDK's own.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import socket
import struct
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from app import Config, Services, build_services

TWILIO_API = "https://api.twilio.com"
HANG_CAP_S = 30.0  # a hanging answer never outlives this, so a forgotten test can't wedge


class Fault(StrEnum):
    """How the server answers a call instead of accepting it."""

    ERROR_500 = "500"  # Twilio's error, nothing sent
    UNAVAILABLE_503 = "503"
    TOO_MANY_429 = "429"  # with Retry-After
    RESET = "reset"  # the connection reset before any answer, nothing sent
    HANG = "hang"  # no answer at all until released (or HANG_CAP_S), nothing sent
    ACCEPTED_500 = "accepted-500"  # the message is sent, and yet the answer is a 500
    ACCEPTED_RESET = "accepted-reset"  # the message is sent, then the connection resets


ACCEPTED_FAULTS = frozenset({Fault.ACCEPTED_500, Fault.ACCEPTED_RESET})
_ERRORS = {
    Fault.ERROR_500: (500, 20500, "Internal Server Error"),
    Fault.ACCEPTED_500: (500, 20500, "Internal Server Error"),
    Fault.UNAVAILABLE_503: (503, 20503, "Service Unavailable"),
    Fault.TOO_MANY_429: (429, 20429, "Too Many Requests"),
}


@dataclass(frozen=True)
class Call:
    """One request that reached the server, and how it was answered."""

    path: str
    form: dict[str, list[str]]
    fault: Fault | None


@dataclass
class _State:
    account_sid: str
    auth_token: str
    retry_after_s: int = 1
    calls: list[Call] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # message resources, oldest first
    queued: list[Fault | None] = field(default_factory=list)
    always: Fault | None = None
    window_closed: set[str] = field(default_factory=set)  # +E164 numbers
    callbacks: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (url, form)
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)

    def next_fault(self) -> Fault | None:
        with self.lock:
            return self.queued.pop(0) if self.queued else self.always


class FakeTwilioServer:
    """A threaded HTTP server on 127.0.0.1 answering like Twilio's Messages API."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.state = _State(account_sid, auth_token)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeTwilioServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.state.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    # the switch ---------------------------------------------------------------------------
    def fail_next(self, *faults: Fault | None) -> None:
        """Answer the next calls with these faults in turn (None: accept), then as before."""
        with self.state.lock:
            self.state.queued.extend(faults)

    def fail_all(self, fault: Fault | None, retry_after_s: int = 1) -> None:
        """Answer every call with ``fault`` from now on (None: accept again)."""
        with self.state.lock:
            self.state.always = fault
            self.state.queued.clear()
            self.state.retry_after_s = retry_after_s
        if fault is not Fault.HANG:
            self.release_hung()

    def release_hung(self) -> None:
        """Let hanging calls end (their clients have given up by now)."""
        self.state.release.set()
        self.state.release = threading.Event()

    def close_window(self, msisdn: str) -> None:
        """From now on, free-form WhatsApp to ``msisdn`` fails with 63016 (templates go)."""
        with self.state.lock:
            self.state.window_closed.add(msisdn)

    def take_callbacks(self) -> list[tuple[str, dict[str, str]]]:
        """The status callbacks Twilio would post now (url, form), oldest first; cleared."""
        with self.state.lock:
            found, self.state.callbacks = self.state.callbacks, []
        return found

    # what it saw ----------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        with self.state.lock:
            return list(self.state.calls)

    @property
    def attempts(self) -> int:
        return len(self.calls)

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """What was sent (accepted, even when the answer said otherwise), in the dev outbox's
        shape, so ``tests.secure_pages`` reads codes from it."""
        with self.state.lock:
            sent = list(self.state.sent)
        found = []
        for message in sent:
            raw = str(message["to"])
            number = raw.removeprefix("whatsapp:")
            if to is None or number == to:
                channel = "whatsapp" if raw.startswith("whatsapp:") else "sms"
                media = message.get("_media", [])
                found.append(
                    {
                        "channel": channel,
                        "to": number,
                        "body": message["body"],
                        "media_urls": media,
                        "content_sid": message.get("_content_sid"),
                        "content_variables": message.get("_content_variables"),
                    }
                )
        return found


class LoopbackTwilioHttp(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's own HTTP client, sending what it would send to api.twilio.com to ``base_url``."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = False,
    ) -> Response:
        assert url.startswith(TWILIO_API), url  # only the REST API Teller calls
        local = self.base_url + url.removeprefix(TWILIO_API)
        return super().request(method, local, params, data, headers, auth, timeout, allow_redirects)


def _first(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so a reset never hits a pooled keep-alive.
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests read calls, not an access log

        def finish(self) -> None:
            with contextlib.suppress(OSError, ValueError):  # the connection was reset on purpose
                super().finish()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            path = f"/2010-04-01/Accounts/{state.account_sid}/Messages.json"
            if self.path != path:
                return self._error(404, 20404, "The requested resource was not found")
            if not self._authorized():
                return self._error(401, 20003, "Authenticate")
            fault = state.next_fault()
            with state.lock:
                state.calls.append(Call(self.path, form, fault))
            if fault is Fault.HANG:
                state.release.wait(HANG_CAP_S)
                return self._reset()
            if fault is Fault.RESET:
                return self._reset()
            if not form.get("To"):
                return self._error(400, 21604, "A 'To' parameter is required.")
            if not form.get("Body") and not form.get("ContentSid"):
                return self._error(400, 21619, "A text message body or media urls is required.")
            if form.get("ContentVariables") and not form.get("ContentSid"):
                return self._error(400, 21654, "A ContentSid must be specified.")
            if fault is None or fault in ACCEPTED_FAULTS:
                message = self._accept(form)
                if fault is None:
                    return self._json(201, message)
                if fault is Fault.ACCEPTED_RESET:
                    return self._reset()
            status, code, text = _ERRORS[fault]
            headers = {"Retry-After": str(state.retry_after_s)} if status == 429 else {}
            self._error(status, code, text, headers)

        def do_GET(self) -> None:
            self._error(405, 20004, "Method not allowed")

        def _authorized(self) -> bool:
            scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
            if scheme != "Basic":
                return False
            expected = f"{state.account_sid}:{state.auth_token}".encode()
            return secrets.compare_digest(base64.b64decode(value or ""), expected)

        def _accept(self, form: dict[str, list[str]]) -> dict[str, Any]:
            sid = f"SM{secrets.token_hex(16)}"
            now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
            content_sid = _first(form, "ContentSid")
            raw_variables = _first(form, "ContentVariables")
            variables = json.loads(raw_variables) if raw_variables else None
            message: dict[str, Any] = {
                "sid": sid,
                "account_sid": state.account_sid,
                "to": form["To"][0],
                "from": _first(form, "From"),
                "messaging_service_sid": _first(form, "MessagingServiceSid"),
                "body": _first(form, "Body") or "",  # Twilio renders a template; we don't
                "status": "queued",
                "num_media": str(len(form.get("MediaUrl", []))),
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "date_created": now,
                "date_updated": now,
                "date_sent": None,
                "price": None,
                "error_code": None,
                "error_message": None,
                "uri": f"/2010-04-01/Accounts/{state.account_sid}/Messages/{sid}.json",
            }
            to = form["To"][0]
            extra = {
                "_media": form.get("MediaUrl", []),
                "_content_sid": content_sid,
                "_content_variables": variables,
            }
            callback = _first(form, "StatusCallback")
            with state.lock:
                state.sent.append({**message, **extra})
                closed = to.removeprefix("whatsapp:") in state.window_closed
                if callback and closed and to.startswith("whatsapp:") and content_sid is None:
                    failed = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "63016"}
                    state.callbacks.append((callback, {**failed, "AccountSid": state.account_sid}))
            return message

        def _json(
            self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def _error(
            self, status: int, code: int, message: str, headers: dict[str, str] | None = None
        ) -> None:
            body = {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            }
            self._json(status, body, headers)

        def _reset(self) -> None:
            # SO_LINGER with a zero timeout: close() sends RST instead of a clean FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

    return Handler


SID = "AC" + "f" * 32
SMS_FROM = "+15005550006"


def twilio_config(config: Config, timeout_s: int = 1) -> Config:
    """``config`` with Twilio as the messenger (a short timeout keeps hang tests quick)."""
    settings = {
        "messenger": "twilio",
        "twilio_account_sid": SID,
        "twilio_sms_from": SMS_FROM,
        "twilio_timeout_seconds": timeout_s,
    }
    return replace(config, **settings)


def loopback_services(config: Config, server: FakeTwilioServer, **kwargs: Any) -> Services:
    """Teller's services with Twilio's client pointed at ``server``, its timeout the config's."""
    http = LoopbackTwilioHttp(server.url, timeout=config.twilio_timeout_seconds)
    return build_services(config, twilio_http_client=http, **kwargs)
