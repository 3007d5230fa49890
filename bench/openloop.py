"""A fixed-rate, open-loop HTTP load generator (what wrk2 does; wrk2 is not packaged here).

wrk sends the next request only when a connection's previous one has returned, so a slow
server slows the load down and its latency hides ("coordinated omission"). This generator
schedules request i at ``start + i / rate`` whatever happens, opens a fresh connection for it
(Twilio sends each webhook on its own request; gunicorn's sync workers close the connection
after every response anyway) and measures latency from the *scheduled* time, so time a request
spent waiting because the server or the generator fell behind counts against the server. The
number of open connections is capped, so an overloaded server meets a queue in the generator
rather than a flood of connection attempts.

It is one thread on non-blocking sockets and epoll, without asyncio: on a small machine the
generator shares the cores with the server, and asyncio's per-connection machinery cost several
times more CPU per request.
"""

from __future__ import annotations

import errno
import math
import selectors
import socket
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Classify = Callable[[int, bytes], str]  # (HTTP status, body) → a response label


@dataclass
class OpenLoopResult:
    target_rps: float
    duration_s: float
    scheduled: int
    completed: int = 0
    errors: int = 0  # connection failures and timeouts
    unanswered: int = 0  # never sent or still waiting when the run ended
    latencies_s: list[float] = field(default_factory=list)
    send_lag_s: list[float] = field(default_factory=list)  # scheduled → connection started
    elapsed_s: float = 0.0  # first scheduled send to last response (or to the last send)
    cpu_s: float = 0.0  # the generator's own CPU time
    responses: Counter[str] = field(default_factory=Counter)

    @property
    def achieved_rps(self) -> float:
        return self.completed / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float, values: Sequence[float] | None = None) -> float:
        data = sorted(self.latencies_s if values is None else values)
        if not data:
            return math.nan
        return data[min(len(data) - 1, max(0, math.ceil(p / 100 * len(data)) - 1))]

    def rate_reached(self) -> bool:
        """The server kept up: all answered, at ≥ 97 % of the rate, sent on time (p99 < 5 ms)."""
        return (
            self.completed == self.scheduled
            and self.achieved_rps >= 0.97 * self.target_rps
            and self.percentile(99, self.send_lag_s) < 0.005
        )


@dataclass
class _Exchange:
    sock: socket.socket
    payload: bytes
    scheduled: float
    connected: bool = False
    chunks: list[bytes] = field(default_factory=list)


def _parse(raw: bytes) -> tuple[int, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    return (int(status_line[1]) if len(status_line) > 1 else 0), body


class _Generator:
    def __init__(
        self, address: tuple[str, int], result: OpenLoopResult, classify: Classify
    ) -> None:
        self.address = address
        self.result = result
        self.classify = classify
        self.selector = selectors.EpollSelector()
        self.open: dict[int, _Exchange] = {}
        self.last_answer = 0.0

    def start(self, payload: bytes, scheduled: float, now: float) -> None:
        self.result.send_lag_s.append(max(0.0, now - scheduled))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        exchange = _Exchange(sock, payload, scheduled)
        code = sock.connect_ex(self.address)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self.result.errors += 1
            return
        self.open[sock.fileno()] = exchange
        self.selector.register(sock, selectors.EVENT_WRITE, exchange)

    def step(self, timeout: float) -> None:
        for key, _ in self.selector.select(timeout):
            exchange: _Exchange = key.data
            if not exchange.connected:
                if exchange.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    self.finish(exchange, failed=True)
                    continue
                exchange.connected = True
                exchange.sock.sendall(exchange.payload)  # a few hundred bytes: one segment
                self.selector.modify(exchange.sock, selectors.EVENT_READ, exchange)
                continue
            try:
                data = exchange.sock.recv(65536)
            except OSError:
                self.finish(exchange, failed=True)
                continue
            if data:
                exchange.chunks.append(data)
            else:  # the server closed the connection: the response is complete
                self.finish(exchange, failed=False)

    def finish(self, exchange: _Exchange, failed: bool) -> None:
        self.open.pop(exchange.sock.fileno(), None)
        self.selector.unregister(exchange.sock)
        exchange.sock.close()
        if failed or not exchange.chunks:
            self.result.errors += 1
            return
        now = time.monotonic()
        self.result.latencies_s.append(now - exchange.scheduled)
        self.last_answer = now
        self.result.completed += 1
        self.result.responses[self.classify(*_parse(b"".join(exchange.chunks)))] += 1

    def expire(self, now: float, timeout_s: float) -> None:
        for exchange in [e for e in self.open.values() if now - e.scheduled > timeout_s]:
            self.finish(exchange, failed=True)

    def close(self) -> None:
        for exchange in list(self.open.values()):
            self.selector.unregister(exchange.sock)
            exchange.sock.close()
        self.open.clear()
        self.selector.close()


def run(
    host: str,
    port: int,
    payloads: Sequence[bytes],
    rate: float,
    classify: Classify,
    *,
    max_in_flight: int = 64,
    timeout_s: float = 10.0,
    grace_s: float = 5.0,
) -> OpenLoopResult:
    """Send every payload (a whole HTTP/1.1 request) once, at ``rate`` requests per second.

    At most ``max_in_flight`` connections are open at once; a request due while all are busy
    waits in the generator, and that wait counts in its latency. Requests not answered
    ``grace_s`` after the last one was due are given up and counted as unanswered.
    """
    result = OpenLoopResult(rate, len(payloads) / rate, len(payloads))
    generator = _Generator((host, port), result, classify)
    cpu = time.process_time()
    start = time.monotonic() + 0.05
    end = start + len(payloads) / rate + grace_s
    sent = 0
    try:
        while time.monotonic() < end and (sent < len(payloads) or generator.open):
            now = time.monotonic()
            while sent < len(payloads) and len(generator.open) < max_in_flight:
                due = start + sent / rate
                if due > now:
                    break
                generator.start(payloads[sent], due, now)
                sent += 1
            generator.expire(now, timeout_s)
            next_due = start + sent / rate if sent < len(payloads) else end
            blocked = len(generator.open) >= max_in_flight
            generator.step(0.01 if blocked else max(0.0, min(next_due, end) - time.monotonic()))
    finally:
        result.unanswered = len(payloads) - sent + len(generator.open)
        generator.close()
    result.elapsed_s = max(generator.last_answer - start, len(payloads) / rate)
    result.cpu_s = time.process_time() - cpu
    return result
