"""Open-loop conversations: customers arrive on a clock, each chats a whole script, and every
message's latency counts from the moment it was due.

Conversation *i* is due at ``start + i / rate``, whatever the server does. Inside a
conversation a person reads the reply and answers ``THINK_S`` later: each next message is due
then, and its latency is measured from that due time, so time spent waiting in this generator
(all connections busy, the loop late) counts against the server (no coordinated omission). A
conversation due when no customer is free is not sent and is counted as a shortfall.

One thread on epoll, as ``bench.openloop``: every request is Twilio-signed with its own
MessageSid on its own connection. Every ``REPLAY_EVERY``-th answered message is sent again as
it was (Twilio's retry): the reply must be the same and nothing may happen twice.
"""

from __future__ import annotations

import collections
import errno
import functools
import heapq
import itertools
import selectors
import socket
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench import traffic
from bench.load.customers import Customer
from bench.load.figures import Problem, Result
from bench.load.mix import AMOUNT, CODE, WRONG, Script, Step
from bench.load.outbox import Outbox, reference_in
from bench.load.stack import AUTH_TOKEN, Stack
from bench.openloop import Classify

PATH = "/whatsapp/inbound"
THINK_S = 0.25
MAX_IN_FLIGHT = 256
TIMEOUT_S = 10.0
GRACE_S = 20.0  # conversations under way at the end are finished within this
REPLAY_AFTER_S = 0.05  # a Twilio-style retry of a message already answered
REPLAY_EVERY = 25
STEPUPS_PER_CUSTOMER = 50  # under STEPUP_STARTS_PER_HOUR (60), whatever the run does
DOCUMENTS_PER_CUSTOMER = 4  # under the 5 statements an hour
CANCEL = Step("cancel", "cancelled|nothing_to_cancel|menu", "cancel")


@dataclass
class _Conversation:
    customer: Customer
    script: Script
    steps: tuple[Step, ...]
    index: int = 0
    last_code_id: str = ""
    amount: str = "1.00"


@dataclass
class _Exchange:
    sock: socket.socket
    payload: bytes
    due: float
    kind: str
    conversation: _Conversation | None  # None: a replay
    first_body: bytes = b""
    sid: str = ""
    connected: bool = False
    chunks: list[bytes] = field(default_factory=list)


class Driver:
    def __init__(self, stack: Stack, people: Sequence[Customer], outbox: Outbox,
                 classify: Classify) -> None:  # fmt: skip
        self.address = ("127.0.0.1", stack.web.port)
        self.url = stack.public_url + PATH
        self.validator = RequestValidator(AUTH_TOKEN)
        self.outbox = outbox
        self.classify = classify
        self.free: collections.deque[Customer] = collections.deque(people)
        self.dirty: set[str] = set()  # a conversation broke off: start the next with cancel
        self.stepups: Counter[str] = Counter()
        self.documents: Counter[str] = Counter()
        self.selector = selectors.EpollSelector()
        self.open: dict[int, _Exchange] = {}
        self.due: list[tuple[float, int, Callable[[float], None]]] = []
        self.seq = itertools.count()
        self.answered = 0

    # requests -------------------------------------------------------------------------------
    def _payload(self, msisdn: str, text: str) -> tuple[bytes, str]:
        fields = traffic.form(msisdn, text)
        signature = self.validator.compute_signature(self.url, fields)
        body = urlencode(fields)
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: {self.address[0]}:{self.address[1]}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return (head + body).encode("ascii"), fields["MessageSid"]

    def _at(self, when: float, action: Callable[[float], None]) -> None:
        heapq.heappush(self.due, (when, next(self.seq), action))

    def _send(self, exchange: _Exchange, now: float) -> None:
        self.result.send_lag_s.append(max(0.0, now - exchange.due))
        sock = exchange.sock
        code = sock.connect_ex(self.address)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self._failed(exchange, "connect")
            return
        self.open[sock.fileno()] = exchange
        self.selector.register(sock, selectors.EVENT_WRITE, exchange)

    def _exchange(self, payload: bytes, due: float, kind: str,
                  conversation: _Conversation | None) -> _Exchange:  # fmt: skip
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        return _Exchange(sock, payload, due, kind, conversation)

    # conversations ----------------------------------------------------------------------------
    def _start(self, script: Script, now: float) -> None:
        if not self.free:
            self.result.shortfall += 1
            return
        customer = self.free.popleft()
        if (
            self.stepups[customer.msisdn] + script.stepups > STEPUPS_PER_CUSTOMER
            or self.documents[customer.msisdn] + script.documents > DOCUMENTS_PER_CUSTOMER
        ):
            from bench.load.mix import FALLBACK  # a limit used up: this one only looks

            script = FALLBACK
        # Each step-up of a customer in the run is for another amount (1.00, 1.01, …, at most
        # STEPUPS_PER_CUSTOMER of them): a request repeated unchanged is throttled by Teller.
        amount = f"{1 + self.stepups[customer.msisdn] / 100:.2f}"
        self.stepups[customer.msisdn] += script.stepups
        self.documents[customer.msisdn] += script.documents
        steps = script.steps
        if customer.msisdn in self.dirty:
            self.dirty.discard(customer.msisdn)
            steps = (CANCEL, *steps)
        self.result.conversations += 1
        self._step(_Conversation(customer, script, steps, amount=amount), now, now)

    def _step(self, conv: _Conversation, due: float, now: float) -> None:
        step = conv.steps[conv.index]
        text = conv.amount if step.text == AMOUNT else step.text
        if text in (CODE, WRONG):
            self.outbox.poll()
            found = self.outbox.code(conv.customer.msisdn)
            if found is None or found[0] == conv.last_code_id:
                self._problem(conv, step.kind, "no_code_in_outbox", now)
                return
            code = found[1]
            text = code if text == CODE else code[:-1] + str((int(code[-1]) + 1) % 10)
            if step.text == CODE:
                conv.last_code_id = found[0]
        payload, sid = self._payload(conv.customer.msisdn, text)
        self.result.sids[sid] = (conv.customer.msisdn, "")
        exchange = self._exchange(payload, due, step.kind, conv)
        exchange.sid = sid
        self._send(exchange, now)

    def _replied(self, exchange: _Exchange, status: int, body: bytes, now: float) -> None:
        conv = exchange.conversation
        label = self.classify(status, body)
        self.result.labels[label] += 1
        if conv is None:  # a replay: the same reply, nothing done twice
            self.result.replays += 1
            if body != exchange.first_body:
                self.result.replay_mismatches += 1
            return
        self.answered += 1
        self.result.sids[exchange.sid] = (conv.customer.msisdn, label)
        if status == 200 and self.answered % REPLAY_EVERY == 0:
            # Due when it is scheduled: its send lag (and latency) count from then, not from now.
            replay = self._exchange(exchange.payload, now + REPLAY_AFTER_S, "replay", None)
            replay.first_body = body
            self._at(now + REPLAY_AFTER_S, lambda t: self._send(replay, t))
        step = conv.steps[conv.index]
        if label not in step.expected.split("|"):
            key = f"{conv.script.name} / {step.kind}: {label}"
            self.result.samples.setdefault(key, body.decode("utf-8", "replace")[:400])
            self._problem(conv, step.kind, label, now)
            return
        if label == "done":
            self.result.done_references.append(reference_in(body.decode("utf-8", "replace")))
        if step.text == WRONG:
            conv.last_code_id = ""  # the real code still works after a wrong one
        conv.index += 1
        if conv.index == len(conv.steps):
            self.result.completed += 1
            self.free.append(conv.customer)
            return
        self._at(now + THINK_S, lambda t: self._step(conv, now + THINK_S, t))

    def _problem(self, conv: _Conversation, kind: str, label: str, now: float) -> None:
        """An unexpected reply ends the conversation; the customer's next one cancels first."""
        self.result.problems.append(Problem(now - self.start, conv.script.name, kind, label))
        self.dirty.add(conv.customer.msisdn)
        self.free.append(conv.customer)

    def _failed(self, exchange: _Exchange, why: str) -> None:
        self.result.transport_errors[why] += 1
        if exchange.conversation is not None:
            conv = exchange.conversation
            self._problem(conv, exchange.kind, f"transport_{why}", time.monotonic())

    # the loop ---------------------------------------------------------------------------------
    def _io(self, timeout: float) -> None:
        for key, _ in self.selector.select(timeout):
            exchange: _Exchange = key.data
            if not exchange.connected:
                if exchange.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    self._finish(exchange, "connect")
                    continue
                exchange.connected = True
                exchange.sock.sendall(exchange.payload)
                self.selector.modify(exchange.sock, selectors.EVENT_READ, exchange)
                continue
            try:
                data = exchange.sock.recv(65536)
            except OSError:
                self._finish(exchange, "reset")
                continue
            if data:
                exchange.chunks.append(data)
            else:
                self._finish(exchange, "" if exchange.chunks else "empty")

    def _finish(self, exchange: _Exchange, failure: str) -> None:
        self.open.pop(exchange.sock.fileno(), None)
        self.selector.unregister(exchange.sock)
        exchange.sock.close()
        if failure:
            self._failed(exchange, failure)
            return
        now = time.monotonic()
        self.result.latencies[exchange.kind].append(now - exchange.due)
        head, _, body = b"".join(exchange.chunks).partition(b"\r\n\r\n")
        parts = head.split(b"\r\n", 1)[0].split()
        self._replied(exchange, int(parts[1]) if len(parts) > 1 else 0, body, now)

    def _expire(self, now: float) -> None:
        for exchange in [e for e in self.open.values() if now - e.due > TIMEOUT_S]:
            self._finish(exchange, "timeout")

    def run(self, rate: float, seconds: float, schedule: Sequence[Script],
            on_tick: Callable[[float], None] | None = None) -> Result:  # fmt: skip
        """Conversations from ``schedule`` at ``rate`` messages/s for ``seconds``."""
        from bench.load.mix import mean_messages

        per_s = rate / mean_messages()
        count = max(1, int(per_s * seconds))
        self.result = Result(rate, seconds)
        cpu = time.process_time()
        self.start = time.monotonic() + 0.05
        for i in range(count):
            self._at(
                self.start + i / per_s, functools.partial(self._start, schedule[i % len(schedule)])
            )
        end = self.start + seconds + GRACE_S
        next_poll = self.start
        while time.monotonic() < end and (self.due or self.open):
            now = time.monotonic()
            while self.due and self.due[0][0] <= now and len(self.open) < MAX_IN_FLIGHT:
                _, _, action = heapq.heappop(self.due)
                action(now)
            self._expire(now)
            if now >= next_poll:
                self.outbox.poll()  # keep up with the capped outbox
                if on_tick:
                    on_tick(now - self.start)
                next_poll = now + 0.5
            wait = (self.due[0][0] if self.due else end) - time.monotonic()
            self._io(0.005 if len(self.open) >= MAX_IN_FLIGHT else max(0.0, min(wait, 0.1)))
        for exchange in list(self.open.values()):
            self._finish(exchange, "unanswered")
        self.due.clear()
        self.result.elapsed_s = seconds
        self.result.cpu_s = time.process_time() - cpu
        return self.result
