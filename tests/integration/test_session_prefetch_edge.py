"""The session read in the webhook's claim round trip and slid in its commit (bot.prefetch,
bot.store), against real Redis: a secured message costs two round trips, sessions still slide
and still expire, and a session ended meanwhile is never brought back."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis

from app import Services
from auth.ports import Status
from auth.stores.sessions import ALIVE_KEY, SESSION_KEY
from bot import twiml
from tests.conftest import AMINA
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp, new_sid

START = "teller-test-monitor-start"
END = "teller-test-monitor-end"
BALANCES = "Your available balances"


@contextmanager
def sent_commands(redis_url: str, redis: Redis) -> Iterator[list[str]]:
    """The commands clients send while the body runs (not those scripts run), by MONITOR."""
    sent: list[str] = []
    ready = threading.Event()
    watcher = Redis.from_url(redis_url, decode_responses=True)

    def watch() -> None:
        with watcher.monitor() as monitor:  # type: ignore[no-untyped-call]  # redis-py: untyped
            for entry in monitor.listen():
                command = str(entry["command"])
                if START in command:
                    ready.set()
                elif END in command:
                    return
                elif ready.is_set() and entry["client_type"] != "lua":
                    sent.append(command.split(" ", 1)[0].lower())

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not ready.is_set():  # MONITOR is on once it reports our marker
        assert time.monotonic() < deadline, "MONITOR did not start"
        redis.echo(START)
        ready.wait(0.05)
    try:
        yield sent
    finally:
        redis.echo(END)
        thread.join(10)
        watcher.close()


def test_a_balance_with_a_valid_session_costs_two_round_trips(
    whatsapp: WhatsApp, services: Services, redis_url: str
) -> None:
    services.auth.sessions.create(AMINA, services.clock())
    whatsapp.send(AMINA, "hi")
    with sent_commands(redis_url, services.redis) as sent:
        reply = whatsapp.send(AMINA, "balance")
    assert BALANCES in reply.text
    assert sent == ["evalsha", "evalsha"]  # claim (and session), commit (and slide)


def test_each_secured_message_slides_the_session_and_an_idle_one_still_expires(
    whatsapp: WhatsApp, services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock())
    for _ in range(3):  # 12 minutes in all, never 5 idle
        clock.advance(minutes=4)
        assert BALANCES in whatsapp.send(AMINA, "balance").text
        seen = services.redis.hget(SESSION_KEY.format(msisdn=AMINA), "seen")
        assert seen == str(int(clock().timestamp()))
    clock.advance(minutes=4)
    assert whatsapp.send(AMINA, "hi").status == 200  # the menu needs no session: no slide
    clock.advance(minutes=2)  # 6 minutes after the last secured message
    reply = whatsapp.send(AMINA, "balance").text
    assert BALANCES not in reply and "https://teller.test/secure/" in reply  # a link instead
    assert services.auth.sessions.check(AMINA, clock()).status is Status.EXPIRED


def test_a_session_ended_between_claim_and_commit_is_not_brought_back(
    services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock())
    sid = new_sid()
    begin = services.edge.begin(AMINA, sid, clock())
    assert begin.session is not None and begin.session.status is Status.VALID
    services.auth.sessions.revoke(AMINA)  # a logout everywhere, from another process
    assert services.edge.commit(AMINA, sid, begin, twiml.EMPTY, None, clock())
    assert not services.redis.exists(SESSION_KEY.format(msisdn=AMINA))
    assert not services.redis.exists(ALIVE_KEY.format(msisdn=AMINA))
    assert services.auth.sessions.check(AMINA, clock()).status is Status.MISSING


def test_a_claim_reads_the_session_without_sliding_it(
    services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock())
    created = services.redis.hget(SESSION_KEY.format(msisdn=AMINA), "seen")
    clock.advance(minutes=3)
    sid = new_sid()
    begin = services.edge.begin(AMINA, sid, clock())
    assert begin.session is not None and begin.session.status is Status.VALID
    assert services.redis.hget(SESSION_KEY.format(msisdn=AMINA), "seen") == created
    services.edge.commit(AMINA, sid, begin, twiml.EMPTY, None)  # the message didn't use it
    assert services.redis.hget(SESSION_KEY.format(msisdn=AMINA), "seen") == created
