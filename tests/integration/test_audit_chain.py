"""The audit stream's hash chain, against real Redis (whose Lua has the ``bit`` library) and
fakeredis (the script's plain-arithmetic SHA-256): the script's digests are hashlib's, one
chain under concurrent appends, ``flask audit verify`` names the one entry changed in Redis,
and retention trims keep the chain verifiable from the anchor.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from redis import Redis

from app import Services
from auth.stores.audit import AUDIT_ANCHOR, AUDIT_STREAM, AuditLog
from auth.stores.audit_chain import _SHA256, GENESIS, digest

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def redis(store_redis: Redis) -> Redis:
    """An empty Redis: single, fakeredis, Sentinel-managed or Cluster (``store_redis``)."""
    return store_redis


def test_the_scripts_sha256_is_hashlibs_at_every_length(redis: Redis) -> None:
    """Every padding case: empty, within one block, across the 55/56-byte and 64-byte block
    edges, several blocks; bytes of every value (the netstrings hold any UTF-8)."""
    messages = [bytes((n * 7 + i) % 256 for i in range(n)) for n in (*range(0, 130), 200, 1000)]
    found = redis.execute_command(  # type: ignore[no-untyped-call]
        "EVAL",
        _SHA256 + "local out = {} for i = 1, #ARGV do out[i] = sha256(ARGV[i]) end return out",
        1,
        "{audit}",  # a key, so a Cluster knows where to run it
        *messages,
    )
    assert [str(h) for h in found] == [hashlib.sha256(m).hexdigest() for m in messages]


def append(audit: AuditLog, n: int, **detail: str) -> str:
    return audit.record(
        "money.transfer",
        at=AT,
        customer_id="C001",
        msisdn="+2348030000001",
        channel="whatsapp",
        result="success",
        amount=f"USD {n}.00",
        parties="from ••6789 to ••4321 at 044",
        reference=f"TX{n:06d}",
        **detail,
    )


def stream(redis: Redis) -> list[tuple[str, dict[str, str]]]:
    raw: list[tuple[str, dict[str, str]]] = redis.xrange(AUDIT_STREAM)  # type: ignore[assignment]
    return [(str(i), dict(f)) for i, f in raw]


def rewrite(redis: Redis, change: dict[str, dict[str, str]]) -> None:
    """What someone with Redis access could do (XADD can't edit): rewrite the stream with the
    same ids, some fields changed."""
    entries = stream(redis)
    redis.delete(AUDIT_STREAM)
    for entry_id, fields in entries:
        changed: dict[str | bytes, str] = {}
        changed.update(fields)
        changed.update(change.get(entry_id, {}))
        redis.xadd(AUDIT_STREAM, changed, id=entry_id)


def test_each_entry_carries_prev_and_its_own_sha256(redis: Redis) -> None:
    audit = AuditLog(redis)
    for n in range(3):
        append(audit, n)
    # long and non-ASCII values: several SHA-256 blocks, lengths in bytes
    append(audit, 3, reason="é" * 300)
    with redis.pipeline(transaction=False) as pipe:  # queued on a step's batch, as step-ups are
        audit.queue(
            pipe,
            "stepup.verify",
            at=AT,
            customer_id="C001",
            msisdn="+2348030000001",
            channel="whatsapp",
            result="passed",
        )
        pipe.execute()
    entries = stream(redis)
    assert len(entries) == 5
    assert entries[0][1]["prev"] == GENESIS
    for (_, before), (_, after) in itertools.pairwise(entries):
        assert after["prev"] == before["digest"]
    for _, fields in entries:
        assert fields["digest"] == digest(fields)  # the script's SHA-256 is hashlib's
    verdict = audit.verify()
    assert (verdict.ok, verdict.verified) == (True, 5)


def test_concurrent_appends_keep_one_chain(redis: Redis) -> None:
    audit = AuditLog(redis)

    def writer(k: int) -> None:
        for n in range(15):
            if n % 3:
                append(audit, k * 100 + n)
            else:
                with redis.pipeline(transaction=False) as pipe:
                    audit.queue(
                        pipe,
                        "login",
                        at=AT,
                        customer_id="C001",
                        msisdn="+2348030000001",
                        channel="web",
                        result="success",
                    )
                    pipe.execute()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    verdict = audit.verify()
    assert (verdict.ok, verdict.verified) == (True, 90)
    assert len({fields["prev"] for _, fields in stream(redis)}) == 90  # no fork


def test_a_changed_field_breaks_the_chain_at_that_entry(redis: Redis) -> None:
    audit = AuditLog(redis)
    ids = [append(audit, n) for n in range(5)]
    rewrite(redis, {ids[2]: {"amount": "USD 5000.00"}})
    verdict = audit.verify()
    assert (verdict.broken_at, verdict.problem, verdict.verified) == (
        ids[2],
        "digest does not match",
        2,
    )


def test_a_recomputed_digest_breaks_it_at_the_next_entry(redis: Redis) -> None:
    audit = AuditLog(redis)
    ids = [append(audit, n) for n in range(4)]
    forged = {**dict(stream(redis))[ids[1]], "amount": "USD 5000.00"}
    forged["digest"] = digest(forged)
    rewrite(redis, {ids[1]: forged})
    verdict = audit.verify()
    assert (verdict.broken_at, verdict.problem) == (
        ids[2],
        "prev does not match the entry before it",
    )


def test_a_removed_entry_breaks_the_chain(redis: Redis) -> None:
    audit = AuditLog(redis)
    ids = [append(audit, n) for n in range(4)]
    redis.xdel(AUDIT_STREAM, ids[1])
    assert audit.verify().broken_at == ids[2]
    redis.xdel(AUDIT_STREAM, ids[0])  # the oldest, without a trim: the anchor doesn't match
    assert audit.verify().broken_at == ids[2]


def test_trimming_keeps_the_chain_verifiable(redis: Redis) -> None:
    audit = AuditLog(redis)
    ids = [append(audit, n) for n in range(3)]
    time.sleep(0.005)  # the trim cuts by millisecond: the next entries come later than these
    ids += [append(audit, n) for n in range(3, 6)]
    newest = int(ids[-1].split("-")[0])
    assert audit.trim(400, now=datetime.fromtimestamp(newest / 1000, UTC)) == 0
    # everything older than the fourth entry's millisecond goes
    cut = int(ids[3].split("-")[0])
    assert cut > int(ids[2].split("-")[0])
    now = datetime.fromtimestamp(cut / 1000, UTC) + timedelta(days=400)
    dropped = audit.trim(400, now=now)
    assert dropped >= 3
    anchor = audit.anchor()
    kept = stream(redis)
    assert anchor.entry_id not in {entry_id for entry_id, _ in kept}
    assert kept[0][1]["prev"] == anchor.digest != GENESIS
    assert audit.verify().ok and audit.verify().verified == len(kept)
    append(audit, 99)
    assert audit.verify().ok
    # everything trimmed: the next entry chains to the anchor
    audit.trim(1, now=datetime.now(UTC) + timedelta(days=2))
    assert stream(redis) == []
    append(audit, 100)
    assert stream(redis)[0][1]["prev"] == audit.anchor().digest
    assert audit.verify().ok
    assert redis.hgetall(AUDIT_ANCHOR)["id"] == audit.anchor().entry_id


def test_no_field_outside_the_allow_list(redis: Redis) -> None:
    with pytest.raises(ValueError, match="not allowed"):
        append(AuditLog(redis), 1, pin="123456")
    with pytest.raises(ValueError, match="not allowed"):
        append(AuditLog(redis), 1, digest="0" * 64)  # the chain's fields are the script's


# --- the `flask audit` commands ---


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", *args])
    return result.exit_code, result.output


def test_verify_command_reports_the_first_broken_entry(app: Flask, services: Services) -> None:
    audit = services.auth.audit
    ids = [append(audit, n) for n in range(4)]
    assert run(app, "verify") == (0, "audit chain: 4 entries verified\n")
    rewrite(services.redis, {ids[1]: {"reference": "TX999999"}})
    code, output = run(app, "verify")
    assert code == 1
    assert f"entry {ids[1]}: digest does not match" in output
    assert "TX999999" not in output  # names the entry, never its contents


def test_trim_command_applies_the_retention_setting(app: Flask, services: Services) -> None:
    audit = services.auth.audit
    for n in range(3):
        append(audit, n)
    assert run(app, "trim") == (0, "audit: 0 entries older than 400 days dropped\n")
    old = datetime.now(UTC) - timedelta(days=401)
    services.redis.delete(AUDIT_STREAM)  # start over with entries made 401 days ago
    for n in range(3):
        fields = {"event": "login", "at": old.isoformat(), "prev": "", "digest": ""}
        fields["prev"] = stream(services.redis)[-1][1]["digest"] if n else GENESIS
        fields["digest"] = digest(fields)
        made = f"{int(old.timestamp() * 1000) + n}-0"
        services.redis.xadd(AUDIT_STREAM, fields, id=made)
    append(audit, 9)
    assert run(app, "verify")[0] == 0
    assert run(app, "trim") == (0, "audit: 3 entries older than 400 days dropped\n")
    code, output = run(app, "verify")
    assert code == 0 and output.endswith("audit chain: 1 entries verified\n")
    assert output.startswith("starts after trimmed entry ")
