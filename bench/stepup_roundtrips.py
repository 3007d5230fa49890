"""Redis round trips for one confirming ``yes``: the message that starts a transfer's step-up.

``python -m bench.stepup_roundtrips`` starts a private ``redis-server`` on a free port, builds
Teller on it in this process (the demo seed in a temporary directory, the dev outbox, a frozen
clock), registers Amina through the secure pages the way the tests do, and walks a transfer
through the real webhook up to its summary (``transfer``, the source account, the payee, the
amount). Then it sends ``yes`` with ``MONITOR`` running on a second connection and counts what
Redis received for that one message:

- **round trips**: requests the app's Redis clients wrote, counted at the client (each call of
  redis-py's ``Connection.send_packed_command`` in the thread that handles the message). A
  command is one; a pipeline, transactional or not, is one; an ``EVALSHA`` is one whatever its
  script runs. MONITOR can't tell these apart (it shows a pipeline's commands one by one);
- the commands by name as Redis received them (MONITOR), and those the Lua scripts ran inside
  (work, not round trips).

Then a second transfer in the same process is counted the same way: its code no longer opens
the queue's connection (as in a web worker that has sent a receipt before).

Each run does this ``RUNS`` times after a warm-up (the first ``yes`` on a new server also loads
the Lua scripts: ``NOSCRIPT``, ``SCRIPT LOAD``), with a fresh database each time, and reports
the median (the runs agree: nothing on this path depends on timing). The figures go to the
step-up section of ``bench/README.md``; ``--no-write`` only prints them.
"""

from __future__ import annotations

import contextlib
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis import Redis
from redis.connection import Connection

from app import DEMO_SEED, Config, build_services, create_app
from bot.messenger import OutboxMessenger
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.redis_server import RedisServer
from tests.secure_pages import SecurePages, link_in

AMINA = "+2348030000001"
BASE_URL = "https://teller.test"
RUNS = 3
MONITOR_END = "teller-bench-stepup-monitor-end"
README = Path(__file__).resolve().parent / "README.md"
SECTION = ("<!-- stepup:start -->", "<!-- stepup:end -->")


@dataclass
class Trips:
    """What one message cost in Redis."""

    order: list[str] = field(default_factory=list)  # round trips in order (commands in each)
    sent: Counter[str] = field(default_factory=Counter)  # commands by name, as Redis got them
    scripted: Counter[str] = field(default_factory=Counter)  # commands the scripts ran

    @property
    def round_trips(self) -> int:
        return len(self.order)


_COMMAND = re.compile(rb"\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n")


def _first_key(packed: bytes) -> str:
    """What an ``EVALSHA sha numkeys key …`` is about: its first key, without the prefix."""
    args = packed.split(b"\r\n")[2::2]  # *N, then $len / value pairs
    key = args[3].decode(errors="replace") if len(args) > 3 else ""
    return re.sub(r"^teller:(\{[^}]*\}:)?", "", key).split(":")[0]


@contextlib.contextmanager
def requests_counted(trips: Trips) -> Iterator[None]:
    """Record every request this thread's Redis connections write while the body runs."""
    original = Connection.send_packed_command
    me = threading.get_ident()

    def counting(self: Connection, command: Any, check_health: bool = True) -> None:
        if threading.get_ident() == me:
            packed = command if isinstance(command, bytes) else b"".join(command)
            names = [n.decode().lower() for n in _COMMAND.findall(packed)]
            if names == ["evalsha"]:
                names = [f"evalsha({_first_key(packed)})"]
            trips.order.append(names[0] if len(names) == 1 else "[" + " ".join(names) + "]")
        original(self, command, check_health)  # type: ignore[no-untyped-call]

    Connection.send_packed_command = counting  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Connection.send_packed_command = original  # type: ignore[method-assign]


@contextlib.contextmanager
def monitored(url: str, redis: Redis) -> Iterator[Trips]:
    """MONITOR while the body runs; the watcher stops at an ``ECHO`` of MONITOR_END."""
    trips = Trips()
    started = threading.Event()

    def watch() -> None:
        client = Redis.from_url(url, socket_timeout=None)
        with client.monitor() as monitor:  # type: ignore[no-untyped-call]  # redis-py: untyped
            started.set()
            for entry in monitor.listen():
                command = str(entry["command"])
                name = command.split(" ", 1)[0].lower()
                if entry["client_type"] == "lua":
                    trips.scripted[name] += 1
                elif name == "echo" and MONITOR_END in command:
                    break
                else:
                    trips.sent[name] += 1
        client.close()

    thread = threading.Thread(target=watch, name="redis-monitor", daemon=True)
    thread.start()
    if not started.wait(5):
        raise RuntimeError("MONITOR did not start")
    time.sleep(0.2)  # MONITOR is in effect once its OK is read
    try:
        yield trips
    finally:
        redis.echo(MONITOR_END)
        thread.join(10)


def one_run(server: RedisServer, tmp: Path) -> list[Trips]:
    """Amina registers, asks for a transfer to Chidi, gets the summary; then ``yes`` and the
    code (what each cost); then the same again in the same process (another amount), where the
    queue's connection is already open as in a running web worker."""
    Redis.from_url(server.url).flushall()
    config = Config(
        redis_url=server.url,
        public_base_url=BASE_URL,
        bank_database=str(tmp / "bank.sqlite3"),
        bank_seed=str(DEMO_SEED),
        messenger="outbox",
    )
    services = build_services(config, clock=FrozenClock())
    try:
        app = create_app(services=services)
        app.config.update(TESTING=True)
        whatsapp = WhatsApp(app.test_client(), config.twilio_auth_token, BASE_URL)
        assert isinstance(services.messenger, OutboxMessenger)
        secure = SecurePages(app.test_client(), services.messenger)
        done = secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
        assert done.status == 200, done.text
        counted: list[Trips] = []
        for amount in ("150", "40"):
            for text in ("transfer", "5"):  # Chidi Okeke, a saved payee at Access Bank
                whatsapp.send(AMINA, text)
            summary = whatsapp.send(AMINA, amount).text
            assert summary.startswith("Send *"), summary
            with monitored(server.url, services.redis) as trips, requests_counted(trips):
                reply = whatsapp.send(AMINA, "yes").text
            assert "we sent a code by SMS" in reply, reply
            code = secure.last_code(AMINA)
            with monitored(server.url, services.redis) as answered, requests_counted(answered):
                receipt = whatsapp.send(AMINA, code).text
            assert receipt.startswith("Done"), receipt
            counted += [trips, answered]
        return counted
    finally:
        services.close()
        Path(config.bank_database).unlink(missing_ok=True)


def server_version() -> str:
    server = RedisServer().start()
    try:
        return str(Redis(port=server.port).info("server")["redis_version"])
    finally:
        server.stop()


def measure(runs: int = RUNS) -> list[tuple[Trips, list[int]]]:
    """For ``yes`` and for the code, first and again: the median run and every run's round
    trips."""
    server = RedisServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="teller-bench-stepup-") as tmp:
            one_run(server, Path(tmp))  # warm-up: the first run also loads the Lua scripts
            results = [one_run(server, Path(tmp)) for _ in range(runs)]
    finally:
        server.stop()
    figures = []
    for which in range(len(results[0])):
        counts = [r[which].round_trips for r in results]
        median = statistics.median_low(counts)
        figures.append((next(r[which] for r in results if r[which].round_trips == median), counts))
    return figures


def summary(what: str, trips: Trips, counts: list[int]) -> str:
    sent = ", ".join(f"`{n}` × {c}" for n, c in trips.sent.most_common())
    scripted = ", ".join(f"`{n}` × {c}" for n, c in trips.scripted.most_common()) or "none"
    return (
        f"{what}: **{trips.round_trips} Redis round trips** "
        f"(runs: {' / '.join(map(str, counts))}). Commands sent: {sent}. "
        f"Run inside scripts: {scripted}.\n\nThe round trips in order (a pipeline in brackets): "
        f"{' → '.join(f'`{t}`' for t in trips.order)}."
    )


def write(text: str) -> None:
    start, end = SECTION
    readme = README.read_text(encoding="utf-8")
    if start not in readme:
        readme = readme.rstrip("\n") + f"\n\n{start}\n{end}\n"
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str]) -> int:
    (yes, yes_counts), (code, code_counts), (yes_again, again_counts), (code_again, later) = (
        measure()
    )
    measured = f"Latest run, {datetime.now(UTC):%Y-%m-%d}, redis-server {server_version()}:"
    text = "\n\n".join(
        [
            measured,
            summary(
                "One confirming `yes` (a transfer to a saved payee; SMS code)", yes, yes_counts
            ),
            summary(
                "The code that follows (the transfer, its receipt queued: the process's first, "
                "on a new connection to the queue)",
                code,
                code_counts,
            ),
            summary("The next transfer's `yes`, in the same process", yes_again, again_counts),
            summary(
                "Its code (the queue's connection already open, as in a running web worker)",
                code_again,
                later,
            ),
        ]
    )
    print(text)
    if "--no-write" not in argv:
        write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
