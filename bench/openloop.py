"""A fixed-rate, open-loop HTTP load generator (what wrk2 does; wrk2 is not packaged here).

wrk sends the next request only when a connection's previous one has returned, so a slow
server slows the load down and its latency hides ("coordinated omission"). This generator
schedules request i at ``start + i / rate`` whatever happens, opens a fresh connection for it
(Twilio sends each webhook on its own request; gunicorn's sync workers close the connection
after every response anyway) and measures latency from the *scheduled* time, so time a request
spent waiting because the server or the generator fell behind counts against the server. The
number of open connections is capped so an overloaded server meets a queue in the generator
rather than a flood of connection attempts (and the generator's own CPU use stays bounded).
"""

from __future__ import annotations

import asyncio
import math
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
    unanswered: int = 0  # still waiting when the run ended
    latencies_s: list[float] = field(default_factory=list)
    send_lag_s: list[float] = field(default_factory=list)  # generator's own lateness
    elapsed_s: float = 0.0  # first scheduled send to last response (or to the last send)
    last_answer: float = 0.0  # event-loop time of the last response
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
        """The server kept up: all answered, at ≥ 97 % of the rate, the generator on time."""
        return (
            self.errors == 0
            and self.completed == self.scheduled
            and self.achieved_rps >= 0.97 * self.target_rps
            and self.percentile(99, self.send_lag_s) < 0.005
        )


class _Exchange(asyncio.Protocol):
    """One request on one connection; the server closes it after the response."""

    def __init__(self, payload: bytes, done: asyncio.Future[bytes]) -> None:
        self.payload = payload
        self.done = done
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(self.payload)

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.done.done():
            return
        if exc is None:
            self.done.set_result(b"".join(self.chunks))
        else:
            self.done.set_exception(exc)


def _parse(raw: bytes) -> tuple[int, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    return (int(status_line[1]) if len(status_line) > 1 else 0), body


async def _one(
    target: tuple[str, int],
    payload: bytes,
    scheduled: float,
    result: OpenLoopResult,
    classify: Classify,
    slots: asyncio.Semaphore,
    timeout_s: float,
) -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    transport: asyncio.BaseTransport | None = None
    try:
        async with slots, asyncio.timeout(timeout_s):
            transport, _ = await loop.create_connection(lambda: _Exchange(payload, done), *target)
            raw = await done
    except (OSError, TimeoutError):
        result.errors += 1
        return
    finally:
        if transport is not None:
            transport.close()
    now = loop.time()
    result.latencies_s.append(now - scheduled)
    result.last_answer = max(result.last_answer, now)
    result.completed += 1
    result.responses[classify(*_parse(raw))] += 1


async def _run(
    target: tuple[str, int],
    payloads: Sequence[bytes],
    rate: float,
    classify: Classify,
    max_in_flight: int,
    timeout_s: float,
    grace_s: float,
) -> OpenLoopResult:
    loop = asyncio.get_running_loop()
    result = OpenLoopResult(rate, len(payloads) / rate, len(payloads))
    slots = asyncio.Semaphore(max_in_flight)
    tasks: list[asyncio.Task[None]] = []
    start = loop.time() + 0.05
    for i, payload in enumerate(payloads):
        due = start + i / rate
        now = loop.time()
        if due > now:
            await asyncio.sleep(due - now)
            now = loop.time()
        else:
            await asyncio.sleep(0)  # behind schedule: still let started requests progress
        result.send_lag_s.append(max(0.0, now - due))
        job = _one(target, payload, due, result, classify, slots, timeout_s)
        tasks.append(loop.create_task(job))
    _, late = await asyncio.wait(tasks, timeout=grace_s)
    for task in late:  # a server far behind the rate: stop waiting, count them unanswered
        task.cancel()
    if late:
        await asyncio.wait(late)
    result.unanswered = len(late)
    result.elapsed_s = max(result.last_answer - start, len(payloads) / rate)
    return result


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
    waits in the generator, and that wait counts in its latency. Requests still unanswered
    ``grace_s`` after the last one was due are given up and counted as unanswered.
    """
    return asyncio.run(
        _run((host, port), payloads, rate, classify, max_in_flight, timeout_s, grace_s)
    )
