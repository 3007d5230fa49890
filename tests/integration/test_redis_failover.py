"""A Redis master fails over in the middle of a customer's transfer, on a Sentinel set-up and on
a Redis Cluster: while the master is gone the customer is asked to try again shortly (and
``/readyz`` says Redis is unavailable), once a replica has taken over the same conversation
carries on without a restart, and no confirmed transfer is lost or made twice — Twilio's
retries of the messages sent around the failover included.

The master is stopped (SIGSTOP: it stops answering, as a hung or cut-off machine does) until the
sentinels or the cluster promote its replica; every wait is on a condition.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal
from functools import partial

import pytest
from flask.testing import FlaskClient
from redis import Redis

from app import Services
from tests.conftest import AMINA
from tests.conversations.test_transfer_journeys import SAVINGS, balance, past_cooling_off
from tests.fakes import FrozenClock
from tests.helpers import Reply, WhatsApp, new_sid
from tests.redis_topologies import RedisClusterServers, RedisSentinelServers, wait_for
from tests.secure_pages import SecurePages

TRY_AGAIN = "Sorry, we can't reach our systems right now. Please try again shortly."
CONV_KEY = f"teller:{{{AMINA}}}:conv"  # the customer's conversation: its master is the one stopped


def pay_chidi(whatsapp: WhatsApp, amount: str) -> None:
    """Up to the step-up code of a transfer to the saved payee Chidi."""
    whatsapp.send(AMINA, "transfer")
    assert "How much" in whatsapp.send(AMINA, "5").text
    assert whatsapp.send(AMINA, amount).text.startswith(f"Send *USD {amount}* to Chidi Okeke")
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text


def replicated(services: Services) -> None:
    """Every master has handed its writes to its replica (WAIT): what the test then checks
    after the failover was acknowledged by both, as a quiet moment before a crash would be."""
    for master in services.redis_masters():
        if not int(master.info("replication")["connected_slaves"]):
            continue  # the job queue's own Redis beside a Cluster: no replica in these tests
        # Half a second each time: inside the clients' 1 s read timeout.
        wait_for(partial(_handed_over, master), "each master's replica to have its writes")


def _handed_over(master: Redis) -> bool:
    return int(master.wait(1, 500)) >= 1


def answered(whatsapp: WhatsApp, body: str, sid: str) -> Reply:
    """Twilio's retries of one message (same MessageSid) until the bot answers it for real."""
    found: list[Reply] = []

    def not_try_again() -> bool:
        reply = whatsapp.send(AMINA, body, sid=sid)
        assert reply.status == 200
        found.append(reply)
        return reply.text != TRY_AGAIN

    wait_for(not_try_again, "the bot to answer once a replica took over")
    return found[-1]


@pytest.mark.slow
@pytest.mark.parametrize("redis_topology", ["sentinel", "cluster"], indirect=True)
def test_a_master_fails_over_mid_transfer(
    redis_topology: str,
    request: pytest.FixtureRequest,
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    client: FlaskClient,
    clock: FrozenClock,
) -> None:
    past_cooling_off(whatsapp, secure, clock)
    pay_chidi(whatsapp, "150.00")
    first_sid = new_sid()
    first = whatsapp.send(AMINA, secure.last_code(AMINA), sid=first_sid)
    assert re.match(r"Done: USD 150\.00 sent to Chidi Okeke", first.text)
    pay_chidi(whatsapp, "100.00")
    code, code_sid = secure.last_code(AMINA), new_sid()
    replicated(services)
    during: list[Reply] = []
    ready_during: list[int] = []

    def while_the_master_is_gone() -> None:
        # The code of the second transfer arrives while the master is gone, and Twilio retries
        # the first transfer's code: both are asked to try again, nothing moves.
        during.append(whatsapp.send(AMINA, code, sid=code_sid))
        during.append(whatsapp.send(AMINA, "yes", sid=first_sid))
        ready_during.append(client.get("/readyz").status_code)

    started = time.monotonic()
    if redis_topology == "cluster":
        cluster: RedisClusterServers = request.getfixturevalue("redis_cluster")
        cluster.fail_over(CONV_KEY, during=while_the_master_is_gone)
    else:
        sentinel: RedisSentinelServers = request.getfixturevalue("redis_sentinel")
        sentinel.fail_over(during=while_the_master_is_gone)
    moved_in = time.monotonic() - started

    assert [reply.status for reply in during] == [200, 200]
    assert [reply.text for reply in during] == [TRY_AGAIN, TRY_AGAIN]
    assert ready_during == [503]
    assert balance(services, SAVINGS) == Decimal("2350.00")  # nothing moved while it moved

    # Twilio retries the code's message: now it is taken, once, by the new master.
    done = answered(whatsapp, code, code_sid)
    assert re.match(r"Done: USD 100\.00 sent to Chidi Okeke", done.text), done.text
    assert whatsapp.send(AMINA, code, sid=code_sid).text == done.text  # a retry: the same reply
    assert whatsapp.send(AMINA, "yes", sid=first_sid).text == first.text  # the first, as first
    assert balance(services, SAVINGS) == Decimal("2250.00")  # each transfer once
    assert services.bank.ledger_problems() == []
    assert "Savings ••6789: USD 2,250.00" in whatsapp.send(AMINA, "balance").text
    assert client.get("/readyz").status_code == 200
    assert moved_in < 60
