"""auth.lookups.NameLookups: every look-up of someone else's name is counted per customer and
audited, allowed or not; past the limit the wait is said in seconds (at least 1). On an
in-process Redis (fakeredis): no server.
"""

from __future__ import annotations

from datetime import UTC, datetime

import fakeredis

from auth.lookups import NAME_LOOKUPS, NameLookups
from auth.stores.audit import AuditLog
from auth.stores.ratelimit import RateLimiter

NOW = datetime(2026, 11, 2, 9, 0, 30, tzinfo=UTC)
AMINA, BOLA = "+2348030000001", "+2348030000002"


def lookups() -> tuple[NameLookups, AuditLog]:
    redis = fakeredis.FakeRedis(decode_responses=True)
    audit = AuditLog(redis)
    return NameLookups(RateLimiter(redis), audit, lambda: NOW), audit


def test_a_look_up_is_counted_and_audited() -> None:
    names, audit = lookups()
    assert names.count_lookup(AMINA, "C001", "wallet") == 0
    [entry] = audit.entries(event="name_lookup")
    assert (entry.fields["result"], entry.fields["kind"]) == ("ok", "wallet")


def test_look_ups_go_ahead_until_the_limit_then_say_how_long_to_wait() -> None:
    names, _ = lookups()
    allowed = [names.count_lookup(AMINA, "C001", "account_name") for _ in range(NAME_LOOKUPS.hits)]
    assert allowed == [0] * NAME_LOOKUPS.hits
    wait = names.count_lookup(AMINA, "C001", "wallet")
    assert 1 <= wait <= NAME_LOOKUPS.window_s
    assert names.count_lookup(BOLA, "C002", "wallet") == 0  # counted per customer


def test_every_look_up_is_audited_with_its_kind_and_result() -> None:
    names, audit = lookups()
    for _ in range(NAME_LOOKUPS.hits + 1):
        names.count_lookup(AMINA, "C001", "account_name")
    entries = audit.entries(event="name_lookup", customer_id="C001")
    assert len(entries) == NAME_LOOKUPS.hits + 1
    newest = entries[0].fields
    assert (newest["result"], newest["kind"], newest["channel"]) == (
        "refused",
        "account_name",
        "whatsapp",
    )
    assert {e.fields["result"] for e in entries[1:]} == {"ok"}
    assert AMINA not in repr(entries)  # the number is masked in the audit
