"""A fake Twilio REST server on loopback, for fault tests that go through the real network path.

It speaks the part of Twilio's Messages API Teller uses: ``POST
/2010-04-01/Accounts/<sid>/Messages.json`` with form fields (a ``Body``, or a ``ContentSid`` with
its ``ContentVariables``) and HTTP basic auth, answered with JSON shaped like Twilio's (201 and a
message resource; errors as ``{"code", "message", "more_info", "status"}``). And the Content API
routes Twilio's library calls for templates (``content.twilio.com``, JSON bodies): list ``GET
/v1/Content``, create ``POST /v1/Content``, ``DELETE /v1/Content/<sid>``, request WhatsApp
approval ``POST /v1/Content/<sid>/ApprovalRequests/whatsapp`` and read it ``GET
/v1/Content/<sid>/ApprovalRequests`` (``set_approval`` plays WhatsApp's decision).

A test switches it to fail: per call (``fail_next``) or for every
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
CONTENT_API = "https://content.twilio.com"
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
    contents: dict[str, dict[str, Any]] = field(default_factory=dict)  # sid → content resource
    approvals: dict[str, dict[str, Any]] = field(default_factory=dict)  # sid → whatsapp approval

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
    def fail_next(self, *faults: Fault | None, retry_after_s: int | None = None) -> None:
        """Answer the next calls with these faults in turn (None: accept), then as before; a 429
        says ``Retry-After: retry_after_s`` when given."""
        with self.state.lock:
            self.state.queued.extend(faults)
            if retry_after_s is not None:
                self.state.retry_after_s = retry_after_s

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

    def set_approval(self, sid: str, status: str) -> None:
        """WhatsApp's decision on a submitted template (``approved``, ``rejected`` …)."""
        with self.state.lock:
            self.state.approvals[sid]["status"] = status

    def contents(self) -> list[dict[str, Any]]:
        """The content templates on the account, oldest first."""
        with self.state.lock:
            return list(self.state.contents.values())

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
        # Only the REST APIs Teller calls; their paths don't overlap, so one server plays both.
        assert url.startswith((TWILIO_API, CONTENT_API)), url
        local = self.base_url + url.removeprefix(TWILIO_API).removeprefix(CONTENT_API)
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
            raw = self.rfile.read(length).decode()
            if self.path.startswith("/v1/Content"):
                return self._content("POST", json.loads(raw or "{}"))
            form = parse_qs(raw, keep_blank_values=True)
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
            if self.path.split("?")[0].startswith("/v1/Content"):
                return self._content("GET", {})
            self._error(405, 20004, "Method not allowed")

        def do_DELETE(self) -> None:
            if self.path.startswith("/v1/Content/"):
                return self._content("DELETE", {})
            self._error(405, 20004, "Method not allowed")

        def _content(self, method: str, body: dict[str, Any]) -> None:
            """The Content API: templates and their WhatsApp approval requests."""
            if not self._authorized():
                return self._error(401, 20003, "Authenticate")
            path = self.path.split("?")[0].rstrip("/")
            parts = path.split("/")[3:]  # after /v1/Content
            fault = state.next_fault()  # nothing is created or changed under a fault
            with state.lock:
                state.calls.append(Call(path, {k: [json.dumps(v)] for k, v in body.items()}, fault))
            if fault in (Fault.RESET, Fault.HANG, Fault.ACCEPTED_RESET):
                return self._reset()
            if fault is not None:
                status, code, text = _ERRORS[fault]
                return self._error(status, code, text)
            with state.lock:
                if method == "GET" and not parts:
                    listed = list(state.contents.values())
                    meta = {"page": 0, "page_size": 50, "key": "contents", "next_page_url": None}
                    return self._json(200, {"contents": listed, "meta": meta})
                if method == "POST" and not parts:
                    missing = [k for k in ("friendly_name", "language", "types") if not body.get(k)]
                    if missing:
                        return self._error(400, 20001, f"Missing required parameter {missing[0]}")
                    sid = f"HX{secrets.token_hex(16)}"
                    state.contents[sid] = {
                        "sid": sid,
                        "account_sid": state.account_sid,
                        "friendly_name": body["friendly_name"],
                        "language": body["language"],
                        "variables": body.get("variables") or {},
                        "types": body["types"],
                        "url": f"{CONTENT_API}/v1/Content/{sid}",
                        "links": {},
                    }
                    return self._json(201, state.contents[sid])
                sid = parts[0]
                if sid not in state.contents:
                    return self._error(404, 20404, "The requested resource was not found")
                if method == "DELETE" and len(parts) == 1:
                    del state.contents[sid]
                    state.approvals.pop(sid, None)
                    self.send_response(204)
                    self.end_headers()
                    return None
                if method == "POST" and parts[1:] == ["ApprovalRequests", "whatsapp"]:
                    if not body.get("name") or not body.get("category"):
                        return self._error(400, 20001, "Missing required parameter name/category")
                    approval = {
                        "name": body["name"],
                        "category": body["category"],
                        "content_type": next(iter(state.contents[sid]["types"])),
                        "status": "received",
                        "rejection_reason": "",
                        "allow_category_change": True,
                    }
                    state.approvals[sid] = approval
                    return self._json(201, approval)
                if method == "GET" and parts[1:] == ["ApprovalRequests"]:
                    whatsapp = state.approvals.get(sid) or {"status": "unsubmitted"}
                    found = {"sid": sid, "account_sid": state.account_sid, "whatsapp": whatsapp}
                    return self._json(200, found)
            self._error(404, 20404, "The requested resource was not found")

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
