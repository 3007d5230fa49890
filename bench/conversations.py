"""Whole conversations as load: virtual customers who each chat through a transfer, step by step,
reading their step-up code back from the dev outbox, the way a person with a phone would.

wrk and the open-loop generator send one message with no memory of the last; a transfer needs
six in order, and the sixth carries a code Teller has just sent by SMS. Here a fixed number of
threads (``CLIENTS``, like wrk's connections) each play customers in turn: post a signed
message (its own MessageSid), read the reply, check it is the one the step expects (labelled by
catalog text, as ``bench.traffic`` does), go on. A reply that is not the expected one ends that
conversation with ``cancel`` and is counted by its label. The code is read from the outbox list
in Redis (``MESSENGER=outbox``): its newest entries, not through the web workers being measured.

Each thread has customers of its own, so no two threads ever chat as the same person and no
message waits for another's per-customer lock. The same threads, customers and connections
send ``balance`` for the comparison.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from redis import Redis
from redis.exceptions import RedisError
from twilio.request_validator import RequestValidator

from bench import traffic
from bench.openloop import Classify
from bench.servers import Server, cpu_seconds
from bench.webhook import MONITOR_END
from bot.messenger import OUTBOX_KEY  # newest first

CLIENTS = 8  # as many as wrk's connections in the other benchmarks
OUTBOX_SCAN = 64  # newest entries searched for a customer's code; CLIENTS send at most one each
_CODE = re.compile(r"\b(\d{4,8}) is your code")

# Reply label → its catalog key: what each step of a conversation must answer.
REPLY_KEYS = {
    "balance": "balance",
    "choose_source": "transfer.choose_source",
    "choose_payee": "transfer.choose_payee",
    "ask_amount": "transfer.ask_amount_left",
    "summary": "transfer.summary",
    "code_sent": "stepup.sent_sms",
    "done": "transfer.done",
    # What else could come back: each is an error here.
    **traffic.REPLY_KEYS,
    "stepup_wait": "stepup.wait",
    "stepup_limit": "stepup.send_limit",
    "wrong_code": "stepup.wrong",
    "expired_code": "stepup.expired",
    "limit_used_up": "transfer.limit_used_up",
    "login_link": "auth.login_link",
    "expired_link": "auth.expired_link",
    "register_link": "auth.register_link",
    "menu_fallback": "fallback.main_menu",
}
CODE = "<code>"  # stands for the code read back from the outbox
# A complete transfer by the menus: the intent, the saved payee at another bank (5: after New
# payee, A mobile number and the customer's two own accounts), the amount, yes, the code.
TRANSFER = (
    ("transfer", "choose_payee"),
    ("5", "ask_amount"),
    ("1.00", "summary"),
    ("yes", "code_sent"),
    (CODE, "done"),
)
BALANCE = (("balance", "balance"),)


@dataclass
class Tally:
    """What one thread saw in one round."""

    completed: int = 0  # scripts that got every expected reply
    failed: int = 0
    messages: int = 0
    script_latency_s: list[float] = field(default_factory=list)
    message_latency_s: list[float] = field(default_factory=list)
    unexpected: Counter[str] = field(default_factory=Counter)


class Chat:
    """Signed WhatsApp posts to one server, a connection each (gunicorn's sync workers close
    every connection after its response, as they do for wrk)."""

    def __init__(self, server: Server, auth_token: str, public_url: str, classify: Classify):
        self.server = server
        self.validator = RequestValidator(auth_token)
        self.public_url = public_url  # what Twilio signs
        self.classify = classify

    def send(self, msisdn: str, text: str) -> str:
        fields = traffic.form(msisdn, text)
        body = urlencode(fields)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": str(self.validator.compute_signature(self.public_url, fields)),
        }
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            connection.request("POST", "/whatsapp/inbound", body=body, headers=headers)
            response = connection.getresponse()
            return self.classify(response.status, response.read())
        except OSError:
            return "connection_error"
        finally:
            connection.close()


def latest_code(redis: Redis, msisdn: str) -> str | None:
    """The newest code sent by SMS to ``msisdn``, from the outbox's newest entries."""
    for raw in redis.lrange(OUTBOX_KEY, 0, OUTBOX_SCAN - 1):
        message = json.loads(raw)
        if message["to"] == msisdn and message["channel"] == "sms":
            found = _CODE.search(message["body"])
            return found.group(1) if found else None
    return None


def play(
    chat: Chat, redis: Redis, msisdn: str, script: Sequence[tuple[str, str]], tally: Tally
) -> None:
    """One customer through ``script``; on the first unexpected reply, ``cancel`` and stop."""
    started = time.perf_counter()
    for text, expected in script:
        if text == CODE:
            code = latest_code(redis, msisdn)
            if code is None:
                tally.unexpected["no_code_in_outbox"] += 1
                break
            text = code
        sent = time.perf_counter()
        label = chat.send(msisdn, text)
        tally.message_latency_s.append(time.perf_counter() - sent)
        tally.messages += 1
        if label != expected:
            tally.unexpected[label] += 1
            chat.send(msisdn, "cancel")  # not counted: the round's figures are for scripts
            break
    else:
        tally.completed += 1
        tally.script_latency_s.append(time.perf_counter() - started)
        return
    tally.failed += 1


def rounds(
    chat: Chat,
    redis: Redis,
    customers: Sequence[Iterator[str]],
    script: Sequence[tuple[str, str]],
    seconds: float,
    redis_pid: Sequence[int],
) -> dict[str, Any]:
    """``len(customers)`` threads play ``script`` for ``seconds``, each taking the next of its
    own customers for every script; a script under way at the deadline is finished, and the
    round ends with the last.
    """
    tallies = [Tally() for _ in customers]
    barrier = threading.Barrier(len(customers) + 1)
    deadline = [0.0]

    def client(mine: Iterator[str], tally: Tally) -> None:
        barrier.wait()
        while time.perf_counter() < deadline[0]:
            play(chat, redis, next(mine), script, tally)

    threads = [
        threading.Thread(target=client, args=(mine, tally), daemon=True)
        for mine, tally in zip(customers, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    workers = chat.server.workers()
    cpu_before = cpu_seconds(workers), cpu_seconds(redis_pid), time.process_time()
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu_after = cpu_seconds(workers), cpu_seconds(redis_pid), time.process_time()
    return summary(tallies, elapsed, [a - b for a, b in zip(cpu_after, cpu_before, strict=True)])


@contextlib.contextmanager
def monitored(redis_url: str, redis: Redis) -> Iterator[tuple[Counter[str], Counter[str]]]:
    """MONITOR while the body runs; yields (round trips by command, commands scripts ran).

    Unlike ``bench.webhook.monitored`` (a path that never pipelines), a ``MULTI`` … ``EXEC``
    block is counted as the one round trip redis-py makes of it, under ``multi``; the commands
    inside are not counted again. Blocks are told apart by the client connection that sent them.
    """
    trips: Counter[str] = Counter()
    scripted: Counter[str] = Counter()
    in_multi: set[str] = set()
    started = threading.Event()

    def watch() -> None:
        client = Redis.from_url(redis_url, socket_timeout=None)
        with client.monitor() as monitor:  # type: ignore[no-untyped-call]  # redis-py: untyped
            started.set()
            for entry in monitor.listen():
                command = str(entry["command"])
                name = command.split(" ", 1)[0].lower()
                who = f"{entry.get('client_address')}:{entry.get('client_port')}"
                if entry["client_type"] == "lua":
                    scripted[name] += 1
                elif name == "echo" and MONITOR_END in command:
                    break
                elif name == "multi":
                    in_multi.add(who)
                    trips["multi"] += 1
                elif who in in_multi:
                    if name in ("exec", "discard"):
                        in_multi.discard(who)
                else:
                    trips[name] += 1
        client.close()

    thread = threading.Thread(target=watch, name="redis-monitor", daemon=True)
    thread.start()
    if not started.wait(5):
        raise RuntimeError("MONITOR did not start")
    time.sleep(0.2)  # MONITOR is in effect once its OK is read
    try:
        yield trips, scripted
    finally:
        with contextlib.suppress(RedisError):
            redis.echo(MONITOR_END)
        thread.join(10)


def round_trips(
    chat: Chat,
    redis: Redis,
    redis_url: str,
    customers: Iterator[str],
    script: Sequence[tuple[str, str]],
    count: int,
) -> dict[str, Any]:
    """Redis round trips Teller's workers make per script: ``count`` scripts one after another
    under MONITOR, less this client's own outbox reads (one ``lrange`` per code).

    MONITOR shows commands, not round trips: it counts each command of a pipeline without
    ``MULTI`` apart. ``reads`` are the server's read events meanwhile (``INFO``'s
    ``total_reads_processed``), less this client's own: a pipeline arrives in one, so they are
    the round trips as the server saw them."""
    tally = Tally()
    own = sum(text == CODE for text, _ in script)
    with monitored(redis_url, redis) as (trips, scripted):
        reads = _reads(redis)
        for _ in range(count):
            play(chat, redis, next(customers), script, tally)
        reads = _reads(redis) - reads - 1 - own * tally.completed  # - 1: that INFO itself
    trips["lrange"] -= own * tally.completed
    trips.pop("info", None)  # the two reads counts above: this client's, not Teller's
    trips += Counter()  # drop what is left at zero
    per = max(tally.completed, 1)
    return {
        "scripts": tally.completed,
        "failed": tally.failed,
        "reads": round(reads / per, 2),
        "round_trips": round(sum(trips.values()) / per, 2),
        "per_script": {k: round(v / per, 2) for k, v in trips.most_common()},
        "run_by_scripts": round(sum(scripted.values()) / per, 2),
    }


def _reads(redis: Redis) -> int:
    return int(redis.info("stats")["total_reads_processed"])


def summary(tallies: Sequence[Tally], elapsed: float, cpu: Sequence[float]) -> dict[str, Any]:
    """One round: rates, latency percentiles (ms) and CPU per completed script (µs)."""
    completed = sum(t.completed for t in tallies)
    scripts = sorted(s for t in tallies for s in t.script_latency_s)
    messages = sorted(s for t in tallies for s in t.message_latency_s)
    unexpected: Counter[str] = Counter()
    for t in tallies:
        unexpected.update(t.unexpected)
    per = max(completed, 1)
    return {
        "seconds": round(elapsed, 2),
        "completed": completed,
        "failed": sum(t.failed for t in tallies),
        "messages": sum(t.messages for t in tallies),
        "per_s": completed / elapsed,
        "messages_per_s": sum(t.messages for t in tallies) / elapsed,
        "latency_ms": percentiles(scripts),
        "message_latency_ms": percentiles(messages),
        "cpu_us": {
            "workers": 1e6 * cpu[0] / per,
            "redis_server": 1e6 * cpu[1] / per,
            "client": 1e6 * cpu[2] / per,
        },
        "unexpected": dict(unexpected),
    }


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p99": 0.0}
    cut = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values
    return {
        "p50": round(1000 * statistics.median(values), 2),
        "p99": round(1000 * (cut[98] if len(values) > 1 else values[0]), 2),
    }


def medians(rounds_: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Rounds → medians of rate, latency and CPU; totals of the counts."""

    def med(*path: str) -> float:
        values = []
        for r in rounds_:
            value: Any = r
            for key in path:
                value = value[key]
            values.append(float(value))
        return round(statistics.median(values), 2)

    unexpected: Counter[str] = Counter()
    for r in rounds_:
        unexpected.update(r["unexpected"])
    return {
        "per_s": med("per_s"),
        "messages_per_s": med("messages_per_s"),
        "completed": sum(r["completed"] for r in rounds_),
        "failed": sum(r["failed"] for r in rounds_),
        "latency_ms": {k: med("latency_ms", k) for k in ("p50", "p99")},
        "message_latency_ms": {k: med("message_latency_ms", k) for k in ("p50", "p99")},
        "cpu_us": {k: round(med("cpu_us", k)) for k in rounds_[0]["cpu_us"]},
        "rounds": [round(r["per_s"], 1) for r in rounds_],
        "unexpected": dict(unexpected),
    }
