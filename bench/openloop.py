"""A fixed-rate, open-loop HTTP load generator (what wrk2 does; wrk2 is not packaged here).

wrk sends the next request only when a connection's previous one has returned, so a slow
server slows the load down and its latency hides ("coordinated omission"). This generator
schedules request i at ``start + i / rate`` whatever happens, opens a fresh connection for it
(Twilio sends each webhook on its own request; gunicorn's sync workers close the connection
after every response anyway) and measures latency from the *scheduled* time, so time a request
spent waiting because the server or the generator fell behind counts against the server.
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
    latencies_s: list[float] = field(default_factory=list)
    send_lag_s: list[float] = field(default_factory=list)  # generator's own lateness
    elapsed_s: float = 0.0  # first scheduled send to last response
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
    host: str,
    port: int,
    payload: bytes,
    scheduled: float,
    result: OpenLoopResult,
    classify: Classify,
    timeout_s: float,
) -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    transport: asyncio.BaseTransport | None = None
    try:
        async with asyncio.timeout(timeout_s):
            transport, _ = await loop.create_connection(
                lambda: _Exchange(payload, done), host, port
            )
            raw = await done
    except (OSError, TimeoutError):
        result.errors += 1
        return
    finally:
        if transport is not None:
            transport.close()
    result.latencies_s.append(loop.time() - scheduled)
    result.completed += 1
    result.responses[classify(*_parse(raw))] += 1


async def _run(
    host: str,
    port: int,
    payloads: Sequence[bytes],
    rate: float,
    classify: Classify,
    timeout_s: float,
) -> OpenLoopResult:
    loop = asyncio.get_running_loop()
    result = OpenLoopResult(rate, len(payloads) / rate, len(payloads))
    tasks: set[asyncio.Task[None]] = set()
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
        task = loop.create_task(_one(host, port, payload, due, result, classify, timeout_s))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    result.elapsed_s = loop.time() - start
    return result


def run(
    host: str,
    port: int,
    payloads: Sequence[bytes],
    rate: float,
    classify: Classify,
    timeout_s: float = 10.0,
) -> OpenLoopResult:
    """Send every payload (a whole HTTP/1.1 request) once, at ``rate`` requests per second."""
    return asyncio.run(_run(host, port, payloads, rate, classify, timeout_s))
