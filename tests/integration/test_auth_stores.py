"""The identity stores in ``auth/`` against real Redis, and again against fakeredis (with Lua): the
Lua scripts and key lifetimes must behave the same on both, since the embedded default runs on
fakeredis. Time is a frozen clock passed in; nothing here sleeps.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from redis import Redis

from auth import totp
from auth.ports import Status
from auth.stores.audit import AUDIT_STREAM, AuditLog
from auth.stores.codes import CODE_TTL, COOLDOWN, Codes, SendRefused, Verdict
from auth.stores.credentials import (
    LOGIN_ID_KEY,
    RESERVE_TTL_S,
    AccountStatus,
    Credentials,
    CredentialStore,
    LoginIdTaken,
    Question,
)
from auth.stores.history import LoginHistory, describe_agent, mask_address
from auth.stores.links import LINK_KEY, Link, LinkStore, Purpose, digest
from auth.stores.lockout import Kind, Lockouts
from auth.stores.ratelimit import LINK_REQUESTS, Limit, RateLimited, RateLimiter
from auth.stores.sessions import SESSION_KEY, Sessions

AMINA = "+2348030000001"
CHIDI = "+2348030000002"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def r(store_redis: Redis) -> Redis:
    """An empty Redis: single, fakeredis, Sentinel-managed or Cluster (``store_redis``)."""
    return store_redis


def dump(redis: Redis) -> str:
    """Every key and value in Redis, as one text to search."""
    parts: list[str] = []
    for key in redis.scan_iter(count=1000):
        parts.append(key)
        kind = redis.type(key)
        if kind == "string":
            parts.append(str(redis.get(key)))
        elif kind == "hash":
            parts.extend(f"{k!s}={v!s}" for k, v in redis.hgetall(key).items())
        elif kind == "list":
            parts.extend(redis.lrange(key, 0, -1))
        elif kind == "stream":
            parts.extend(str(fields) for _, fields in redis.xrange(key))
    return "\n".join(parts)


def credentials(
    store: CredentialStore, msisdn: str = AMINA, login_id: str = "amina.y"
) -> Credentials:
    creds = Credentials(
        msisdn=msisdn,
        customer_id="C001",
        login_id=login_id,
        pin_hash="$argon2id$not-checked-here",
        status=AccountStatus.REGISTERED,
        registered_at=T0,
        questions=(Question("q1", "h1"), Question("q3", "h3"), Question("q6", "h6")),
    )
    store.reserve_login_id(login_id, msisdn)
    store.create(creds)
    return creds


# --- lockouts ---


def test_four_failures_then_a_success_resets_the_count(r: Redis) -> None:
    lockouts = Lockouts(r)
    for left in (4, 3, 2, 1):
        assert lockouts.failure(AMINA, Kind.PIN, T0).remaining == left
    lockouts.success(AMINA, Kind.PIN)
    assert lockouts.remaining(AMINA, Kind.PIN) == 5
    assert lockouts.failure(AMINA, Kind.PIN, T0).remaining == 4
    assert lockouts.blocked_until(AMINA, Kind.PIN, T0) is None


def test_the_fifth_failure_blocks_for_15_minutes_and_holds(r: Redis) -> None:
    lockouts = Lockouts(r)
    strikes = [lockouts.failure(AMINA, Kind.PIN, T0) for _ in range(5)]
    assert [s.last_try_next for s in strikes] == [False, False, False, True, False]
    assert strikes[3].remaining == 1
    assert strikes[4].remaining == 0
    assert strikes[4].blocked_until == T0 + timedelta(minutes=15)
    assert lockouts.blocked_until(AMINA, Kind.PIN, T0) == T0 + timedelta(minutes=15)
    assert lockouts.any_block(AMINA, T0) == T0 + timedelta(minutes=15)
    # A success (the right PIN) doesn't lift it, nor do more failures lengthen it.
    lockouts.success(AMINA, Kind.PIN)
    assert lockouts.blocked_until(AMINA, Kind.PIN, T0 + timedelta(minutes=1)) is not None
    again = lockouts.failure(AMINA, Kind.PIN, T0 + timedelta(minutes=5))
    assert again == strikes[4]
    # Other credentials are counted separately.
    assert lockouts.blocked_until(AMINA, Kind.CODE, T0) is None
    assert lockouts.blocked_until(CHIDI, Kind.PIN, T0) is None
    # On the frozen clock, the block passes.
    later = T0 + timedelta(minutes=15, seconds=1)
    assert lockouts.blocked_until(AMINA, Kind.PIN, later) is None
    assert lockouts.any_block(AMINA, later) is None


def test_blocks_double_on_repeat_up_to_a_day(r: Redis) -> None:
    lockouts = Lockouts(r)
    now = T0
    lengths: list[timedelta] = []
    for _ in range(9):
        strike = None
        for _ in range(5):
            strike = lockouts.failure(AMINA, Kind.CODE, now)
        assert strike is not None and strike.blocked_until is not None
        lengths.append(strike.blocked_until - now)
        now = strike.blocked_until + timedelta(seconds=1)
    minutes = [int(length.total_seconds() // 60) for length in lengths]
    assert minutes == [15, 30, 60, 120, 240, 480, 960, 1440, 1440]


def test_staff_unblock_lifts_the_block_but_keeps_the_strikes(r: Redis) -> None:
    lockouts = Lockouts(r)
    for _ in range(5):
        lockouts.failure(AMINA, Kind.DETAILS, T0)
    lockouts.unblock(AMINA)
    assert lockouts.any_block(AMINA, T0) is None
    for _ in range(5):
        strike = lockouts.failure(AMINA, Kind.DETAILS, T0)
    assert strike.blocked_until == T0 + timedelta(minutes=30)


def test_concurrent_failures_block_exactly_once(r: Redis) -> None:
    lockouts = Lockouts(r)
    results = []
    lock = threading.Lock()

    def fail() -> None:
        strike = lockouts.failure(AMINA, Kind.PIN, T0)
        with lock:
            results.append(strike)

    threads = [threading.Thread(target=fail) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(s.remaining for s in results if s.blocked_until is None) == [1, 2, 3, 4]
    assert {s.blocked_until for s in results} - {None} == {T0 + timedelta(minutes=15)}
    assert int(r.get(Lockouts.keys(AMINA, Kind.PIN)[2]) or 0) == 1  # one strike, not eight


# --- sessions ---


def test_a_new_session_is_valid_for_5_idle_minutes(r: Redis) -> None:
    sessions = Sessions(r)
    token = sessions.create(AMINA, T0)
    assert len(token) >= 43  # 256 bits, URL-safe base64
    check = sessions.check(AMINA, T0)
    assert check.status is Status.VALID
    assert check.expires_at == T0 + timedelta(minutes=5)
    assert check.registered is False


def test_sliding_expiry(r: Redis) -> None:
    sessions = Sessions(r)
    sessions.create(AMINA, T0)
    at4 = sessions.check(AMINA, T0 + timedelta(minutes=4))
    assert at4.status is Status.VALID
    assert at4.expires_at == T0 + timedelta(minutes=9)
    at8 = sessions.check(AMINA, T0 + timedelta(minutes=8))
    assert at8.status is Status.VALID
    assert at8.expires_at == T0 + timedelta(minutes=13)


def test_a_check_without_extend_does_not_slide(r: Redis) -> None:
    sessions = Sessions(r)
    sessions.create(AMINA, T0)
    peek = sessions.check(AMINA, T0 + timedelta(minutes=4), extend=False)
    assert peek.status is Status.VALID
    assert peek.expires_at == T0 + timedelta(minutes=5)
    assert sessions.check(AMINA, T0 + timedelta(minutes=5)).status is Status.EXPIRED


@pytest.mark.parametrize("idle", [timedelta(minutes=5), timedelta(minutes=6), timedelta(hours=3)])
def test_idle_past_5_minutes_expires(r: Redis, idle: timedelta) -> None:
    sessions = Sessions(r)
    sessions.create(AMINA, T0)
    expired = sessions.check(AMINA, T0 + idle)
    assert expired.status is Status.EXPIRED
    assert expired.expires_at == T0 + timedelta(minutes=5)
    # Expired stays expired, even if the clock were to go back.
    assert sessions.check(AMINA, T0 + timedelta(minutes=1)).status is Status.EXPIRED


def test_12_hours_absolute_even_with_activity(r: Redis) -> None:
    sessions = Sessions(r)
    sessions.create(AMINA, T0)
    now = T0
    while now + timedelta(minutes=4) < T0 + timedelta(hours=12):
        now += timedelta(minutes=4)
        check = sessions.check(AMINA, now)
        assert check.status is Status.VALID, now
        assert check.expires_at == min(now + timedelta(minutes=5), T0 + timedelta(hours=12))
    assert sessions.check(AMINA, T0 + timedelta(hours=12)).status is Status.EXPIRED


def test_revoke_leaves_missing(r: Redis) -> None:
    sessions = Sessions(r)
    sessions.create(AMINA, T0)
    assert sessions.revoke(AMINA) is True
    assert sessions.revoke(AMINA) is False
    missing = sessions.check(AMINA, T0)
    assert missing.status is Status.MISSING
    assert missing.expires_at is None


def test_a_new_login_replaces_the_token_and_stores_only_a_digest(r: Redis) -> None:
    sessions = Sessions(r)
    first = sessions.create(AMINA, T0)
    first_digest = r.hget(SESSION_KEY.format(msisdn=AMINA), "digest")
    sessions.check(AMINA, T0 + timedelta(minutes=6))  # expired
    second = sessions.create(AMINA, T0 + timedelta(minutes=7))
    second_digest = r.hget(SESSION_KEY.format(msisdn=AMINA), "digest")
    assert first != second
    assert first_digest and second_digest and first_digest != second_digest
    assert sessions.check(AMINA, T0 + timedelta(minutes=8)).status is Status.VALID
    text = dump(r)
    assert first not in text and second not in text
    ttl = r.ttl(SESSION_KEY.format(msisdn=AMINA))
    assert 12 * 3600 < ttl <= 36 * 3600


def test_sessions_are_per_customer(r: Redis) -> None:
    sessions = Sessions(r)
    sessions.create(AMINA, T0)
    assert sessions.check(CHIDI, T0).status is Status.MISSING
    sessions.revoke(CHIDI)
    assert sessions.check(AMINA, T0).status is Status.VALID


@pytest.mark.parametrize("kind", list(Kind))
def test_a_lockout_makes_the_session_blocked(r: Redis, kind: Kind) -> None:
    sessions, lockouts = Sessions(r), Lockouts(r)
    sessions.create(AMINA, T0)
    for _ in range(5):
        lockouts.failure(AMINA, kind, T0)
    blocked = sessions.check(AMINA, T0 + timedelta(minutes=1))
    assert blocked.status is Status.BLOCKED
    assert blocked.expires_at is None
    assert sessions.check(AMINA, T0 + timedelta(minutes=16)).status is Status.EXPIRED


@pytest.mark.parametrize("status", [AccountStatus.BLOCKED, AccountStatus.LOST_PHONE])
def test_staff_blocked_credentials_make_the_session_blocked(
    r: Redis, status: AccountStatus
) -> None:
    sessions, store = Sessions(r), CredentialStore(r)
    credentials(store)
    sessions.create(AMINA, T0)
    assert sessions.check(AMINA, T0) == sessions.check(AMINA, T0, extend=False)
    assert sessions.check(AMINA, T0).registered is True
    store.set_status(AMINA, status, "fraud report")
    blocked = sessions.check(AMINA, T0)
    assert (blocked.status, blocked.registered) == (Status.BLOCKED, True)
    # A block with an end stops at its end.
    store.set_status(AMINA, status, "fraud report", until=T0 + timedelta(minutes=2))
    assert sessions.check(AMINA, T0 + timedelta(minutes=1)).status is Status.BLOCKED
    assert sessions.check(AMINA, T0 + timedelta(minutes=2)).status is Status.VALID
    store.set_status(AMINA, AccountStatus.REGISTERED)
    assert sessions.check(AMINA, T0 + timedelta(minutes=3)).status is Status.VALID


def test_registered_flag_without_a_session(r: Redis) -> None:
    sessions, store = Sessions(r), CredentialStore(r)
    assert sessions.check(AMINA, T0).registered is False
    credentials(store)
    check = sessions.check(AMINA, T0)
    assert (check.status, check.registered) == (Status.MISSING, True)


# --- links ---


def test_issue_and_get(r: Redis) -> None:
    links = LinkStore(r)
    link = links.issue(Purpose.LOGIN, AMINA, "C001", T0)
    assert link.expires_at == T0 + timedelta(minutes=5)
    assert link.minutes == 5
    assert len(link.token) >= 43
    found = links.get(link.token, Purpose.LOGIN, T0 + timedelta(minutes=4))
    assert found is not None
    assert (found.msisdn, found.customer_id, found.expires_at) == (AMINA, "C001", link.expires_at)
    assert found.browser == "" and dict(found.state) == {}
    register = links.issue(Purpose.REGISTER, AMINA, "C001", T0)
    assert register.minutes == 15
    assert links.get(register.token, Purpose.REGISTER, T0 + timedelta(minutes=14)) is not None


def test_expired_unknown_and_wrong_purpose_links_are_none(r: Redis) -> None:
    links = LinkStore(r)
    link = links.issue(Purpose.LOGIN, AMINA, "C001", T0)
    assert links.get(link.token, Purpose.LOGIN, T0 + timedelta(minutes=5)) is None
    assert links.get(link.token, Purpose.REGISTER, T0) is None
    assert links.get(link.token, Purpose.CHANGE_PIN, T0) is None
    assert links.get(link.token + "x", Purpose.LOGIN, T0) is None
    assert links.get("", Purpose.LOGIN, T0) is None
    assert links.get("a" * 129, Purpose.LOGIN, T0) is None


def test_a_newer_link_invalidates_the_older_of_the_same_purpose(r: Redis) -> None:
    links = LinkStore(r)
    old = links.issue(Purpose.LOGIN, AMINA, "C001", T0)
    pin = links.issue(Purpose.CHANGE_PIN, AMINA, "C001", T0)
    other = links.issue(Purpose.LOGIN, CHIDI, "C002", T0)
    new = links.issue(Purpose.LOGIN, AMINA, "C001", T0 + timedelta(minutes=1))
    assert links.get(old.token, Purpose.LOGIN, T0 + timedelta(minutes=1)) is None
    assert links.get(new.token, Purpose.LOGIN, T0 + timedelta(minutes=1)) is not None
    assert links.get(pin.token, Purpose.CHANGE_PIN, T0 + timedelta(minutes=1)) is not None
    assert links.get(other.token, Purpose.LOGIN, T0 + timedelta(minutes=1)) is not None


def test_racing_issues_leave_exactly_one_live_link(r: Redis) -> None:
    links = LinkStore(r)
    barrier = threading.Barrier(20)
    issued: list[Link] = []
    lock = threading.Lock()

    def issue() -> None:
        barrier.wait()
        link = links.issue(Purpose.LOGIN, AMINA, "C001", T0)
        with lock:
            issued.append(link)

    threads = [threading.Thread(target=issue) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    live = [link for link in issued if links.get(link.token, Purpose.LOGIN, T0) is not None]
    assert len(live) == 1
    # The live one is the current one: the next link still replaces it.
    links.issue(Purpose.LOGIN, AMINA, "C001", T0)
    assert links.get(live[0].token, Purpose.LOGIN, T0) is None


def test_consuming_an_old_link_keeps_the_newer_current(r: Redis) -> None:
    links = LinkStore(r)
    old = links.issue(Purpose.LOGIN, AMINA, "C001", T0)
    new = links.issue(Purpose.LOGIN, AMINA, "C001", T0)
    assert links.consume(old) is False
    newest = links.issue(Purpose.LOGIN, AMINA, "C001", T0)
    assert links.get(new.token, Purpose.LOGIN, T0) is None
    assert links.get(newest.token, Purpose.LOGIN, T0) is not None


def test_consume_is_once_however_many_race(r: Redis) -> None:
    links = LinkStore(r)
    link = links.issue(Purpose.LOGIN, AMINA, "C001", T0)
    barrier = threading.Barrier(20)
    results: list[bool] = []
    lock = threading.Lock()

    def use() -> None:
        barrier.wait()
        used = links.consume(link)
        with lock:
            results.append(used)

    threads = [threading.Thread(target=use) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 19 + [True]
    assert links.get(link.token, Purpose.LOGIN, T0) is None


def test_a_link_binds_to_the_first_browser(r: Redis) -> None:
    links = LinkStore(r)
    link = links.issue(Purpose.REGISTER, AMINA, "C001", T0)
    assert links.bind(link, "browser-a")
    assert links.bind(link, "browser-a")
    assert not links.bind(link, "browser-b")
    found = links.get(link.token, Purpose.REGISTER, T0)
    assert found is not None and found.browser == "browser-a"
    links.consume(link)
    assert not links.bind(link, "browser-a")  # a used link is not resurrected
    assert r.exists(LINK_KEY.format(digest=digest(link.token))) == 0


def test_state_is_kept_and_an_expired_link_is_not_resurrected(r: Redis) -> None:
    links = LinkStore(r)
    link = links.issue(Purpose.REGISTER, AMINA, "C001", T0)
    saved = links.save_state(link, {"step": "credentials", "marks": ["a", "b"]})
    assert saved.state == {"step": "credentials", "marks": ["a", "b"]}
    found = links.get(link.token, Purpose.REGISTER, T0)
    assert found is not None and found.state == {"step": "credentials", "marks": ["a", "b"]}
    links.consume(link)
    with pytest.raises(LookupError):
        links.save_state(link, {"step": "questions"})
    assert r.exists(LINK_KEY.format(digest=digest(link.token))) == 0


def test_revoke_all(r: Redis) -> None:
    links = LinkStore(r)
    issued = [links.issue(purpose, AMINA, "C001", T0) for purpose in Purpose]
    other = links.issue(Purpose.LOGIN, CHIDI, "C002", T0)
    links.revoke_all(AMINA)
    assert all(links.get(link.token, link.purpose, T0) is None for link in issued)
    assert links.get(other.token, Purpose.LOGIN, T0) is not None
    links.revoke_all(AMINA)  # nothing left: no error


def test_link_tokens_are_not_stored(r: Redis) -> None:
    links = LinkStore(r)
    issued = [links.issue(purpose, AMINA, "C001", T0) for purpose in Purpose]
    text = dump(r)
    for link in issued:
        assert link.token not in text
        assert digest(link.token) in text
    ttl = r.ttl(LINK_KEY.format(digest=digest(issued[0].token)))
    assert 0 < ttl <= 15 * 60


# --- one-time codes ---


def test_a_code_is_accepted_once(r: Redis) -> None:
    codes = Codes(r, "pepper")
    code, expires = codes.issue(AMINA, "register", "link-1", T0)
    assert len(code) == 6 and code.isdigit()
    assert expires == T0 + CODE_TTL
    assert code not in dump(r)
    assert codes.verify(AMINA, "register", "link-1", f" {code} ", T0).verdict is Verdict.ACCEPTED
    assert codes.verify(AMINA, "register", "link-1", code, T0).verdict is Verdict.EXPIRED


def test_a_code_is_bound_to_its_binding_and_purpose(r: Redis) -> None:
    codes = Codes(r, "pepper")
    code, _ = codes.issue(AMINA, "register", "link-1", T0)
    assert codes.verify(AMINA, "register", "link-2", code, T0).verdict is not Verdict.ACCEPTED
    assert codes.verify(AMINA, "step-up", "link-1", code, T0).verdict is Verdict.EXPIRED
    assert codes.verify(CHIDI, "register", "link-1", code, T0).verdict is Verdict.EXPIRED
    assert codes.verify(AMINA, "register", "link-1", code, T0).verdict is Verdict.ACCEPTED


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_five_wrong_tries_exhaust_the_code(r: Redis) -> None:
    codes = Codes(r, "pepper")
    code, _ = codes.issue(AMINA, "register", "link-1", T0)
    wrong = other_code(code)
    checks = [codes.verify(AMINA, "register", "link-1", wrong, T0) for _ in range(4)]
    assert [(c.verdict, c.remaining) for c in checks] == [
        (Verdict.WRONG, 4),
        (Verdict.WRONG, 3),
        (Verdict.WRONG, 2),
        (Verdict.WRONG, 1),
    ]
    # The fifth wrong try is still counted (the caller strikes it), and uses the code up.
    last = codes.verify(AMINA, "register", "link-1", "12ab", T0)
    assert (last.verdict, last.remaining) == (Verdict.WRONG, 0)
    assert codes.verify(AMINA, "register", "link-1", code, T0).verdict is Verdict.EXHAUSTED


def test_malformed_codes_count_as_wrong_tries(r: Redis) -> None:
    codes = Codes(r, "pepper")
    codes.issue(AMINA, "register", "link-1", T0)
    for attempt in ("", "12345", "1234567", "abcdef"):
        assert codes.verify(AMINA, "register", "link-1", attempt, T0).verdict is Verdict.WRONG
    last = codes.verify(AMINA, "register", "link-1", "٤٩٥٨١٧", T0)
    assert (last.verdict, last.remaining) == (Verdict.WRONG, 0)
    assert codes.verify(AMINA, "register", "link-1", "123456", T0).verdict is Verdict.EXHAUSTED


def test_a_resend_keeps_the_try_count(r: Redis) -> None:
    codes = Codes(r, "pepper")
    first, _ = codes.issue(AMINA, "register", "link-1", T0)
    for _ in range(3):
        codes.verify(AMINA, "register", "link-1", other_code(first), T0)
    later = T0 + COOLDOWN
    second, expires = codes.issue(AMINA, "register", "link-1", later)
    assert expires == later + CODE_TTL
    if first != second:
        assert codes.verify(AMINA, "register", "link-1", first, later).verdict is Verdict.WRONG
        check = codes.verify(AMINA, "register", "link-1", other_code(second), later)
        assert (check.verdict, check.remaining) == (Verdict.WRONG, 0)  # 3 + 2 tries: the fifth
    else:  # 1 in a million: the same code twice
        check = codes.verify(AMINA, "register", "link-1", other_code(second), later)
        assert check == codes.verify(AMINA, "register", "link-1", other_code(second), later)


def test_three_sends_at_most_with_a_30_second_cooldown(r: Redis) -> None:
    codes = Codes(r, "pepper")
    codes.issue(AMINA, "register", "link-1", T0)
    with pytest.raises(SendRefused) as cooling:
        codes.issue(AMINA, "register", "link-1", T0 + timedelta(seconds=10))
    assert cooling.value.retry_after_s == 20
    codes.issue(AMINA, "register", "link-1", T0 + timedelta(seconds=30))
    last, _ = codes.issue(AMINA, "register", "link-1", T0 + timedelta(seconds=60))
    with pytest.raises(SendRefused) as limit:
        codes.issue(AMINA, "register", "link-1", T0 + timedelta(seconds=120))
    assert limit.value.retry_after_s == 0
    # The last code sent still works; other purposes and customers are counted apart.
    codes.issue(AMINA, "step-up", "tx-1", T0 + timedelta(seconds=120))
    codes.issue(CHIDI, "register", "link-9", T0 + timedelta(seconds=120))
    check = codes.verify(AMINA, "register", "link-1", last, T0 + timedelta(seconds=120))
    assert check.verdict is Verdict.ACCEPTED


def test_codes_expire_after_5_minutes(r: Redis) -> None:
    codes = Codes(r, "pepper")
    code, expires = codes.issue(AMINA, "register", "link-1", T0)
    assert codes.verify(AMINA, "register", "link-1", code, expires).verdict is Verdict.EXPIRED
    # Once it has expired, a fresh round of sends starts.
    for seconds in (300, 330, 360):
        codes.issue(AMINA, "register", "link-1", T0 + timedelta(seconds=seconds))
    fresh, _ = codes.issue(AMINA, "register", "link-1", T0 + timedelta(seconds=670))
    check = codes.verify(AMINA, "register", "link-1", fresh, T0 + timedelta(seconds=671))
    assert check.verdict is Verdict.ACCEPTED


def test_discard(r: Redis) -> None:
    codes = Codes(r, "pepper")
    code, _ = codes.issue(AMINA, "register", "link-1", T0)
    codes.discard(AMINA, "register")
    assert codes.verify(AMINA, "register", "link-1", code, T0).verdict is Verdict.EXPIRED


# --- rate limits ---


def test_rate_limiter_fixed_windows(r: Redis) -> None:
    limiter = RateLimiter(r)
    limit = Limit("test", 3, 60)
    start = datetime(2026, 11, 2, 9, 0, 10, tzinfo=UTC)  # 10 s into a window
    for _ in range(3):
        limiter.hit(limit, AMINA, start)
    with pytest.raises(RateLimited) as refused:
        limiter.hit(limit, AMINA, start + timedelta(seconds=5))
    assert refused.value.limit is limit
    assert refused.value.retry_after_s == 45
    limiter.hit(limit, CHIDI, start)  # other subjects are counted apart
    limiter.hit(Limit("other", 3, 60), AMINA, start)  # and other scopes
    limiter.hit(limit, AMINA, start + timedelta(seconds=50))  # the next window
    ttls = [r.ttl(key) for key in r.scan_iter("teller:rate:*")]
    assert ttls and all(0 < ttl <= 61 for ttl in ttls)


def test_link_request_limit(r: Redis) -> None:
    limiter = RateLimiter(r)
    for _ in range(LINK_REQUESTS.hits):
        limiter.hit(LINK_REQUESTS, AMINA, T0)
    with pytest.raises(RateLimited):
        limiter.hit(LINK_REQUESTS, AMINA, T0)


# --- audit ---


def test_audit_record_and_filter(r: Redis) -> None:
    audit = AuditLog(r)
    common = {"at": T0, "channel": "web"}
    audit.record("login", customer_id="C001", msisdn=AMINA, result="failure", **common)
    audit.record("login", customer_id="C001", msisdn=AMINA, result="success", **common)
    audit.record("login", customer_id="C002", msisdn=CHIDI, result="success", **common)
    audit.record(
        "block",
        customer_id="C001",
        msisdn=AMINA,
        result="blocked",
        reason="5 wrong pin attempts",
        until=(T0 + timedelta(minutes=15)).isoformat(),
        **common,
    )
    newest = audit.entries()
    assert [e.fields["event"] for e in newest] == ["block", "login", "login", "login"]
    assert newest[0].fields["reason"] == "5 wrong pin attempts"
    assert newest[0].fields["at"] == T0.isoformat()
    logins = audit.entries(event="login", customer_id="C001")
    assert [e.fields["result"] for e in logins] == ["success", "failure"]
    assert [e.fields["customer"] for e in audit.entries(customer_id="C002")] == ["C002"]
    assert len(audit.entries(count=2)) == 2
    assert audit.entries(event="logout") == []


@pytest.mark.parametrize(
    "field", ["pin", "code", "token", "dob", "number", "answer", "totp_secret"]
)
def test_audit_refuses_fields_outside_the_allow_list(r: Redis, field: str) -> None:
    audit = AuditLog(r)
    with pytest.raises(ValueError, match=field):
        audit.record(
            "login",
            at=T0,
            customer_id="C001",
            msisdn=AMINA,
            channel="web",
            result="failure",
            **{field: "secret"},
        )
    assert r.exists(AUDIT_STREAM) == 0


def test_audit_entries_hold_masked_numbers_only(r: Redis) -> None:
    audit = AuditLog(r)
    audit.record("logout", at=T0, customer_id="C001", msisdn=AMINA, channel="api", result="ok")
    audit.record(
        "logout", at=T0, customer_id="C001", msisdn=f"whatsapp:{AMINA}", channel="api", result="ok"
    )
    text = dump(r)
    assert AMINA not in text and "8030000001" not in text
    assert {e.fields["number"] for e in audit.entries()} == {"+234•••••0001"}


# --- credentials ---


def test_login_ids_are_unique_case_insensitively(r: Redis) -> None:
    store = CredentialStore(r)
    credentials(store, AMINA, "Amina.Y")
    with pytest.raises(LoginIdTaken):
        store.reserve_login_id("amina.y", CHIDI)
    with pytest.raises(LoginIdTaken):
        store.reserve_login_id("AMINA.Y", CHIDI)
    assert store.owner_of("aMiNa.y") == AMINA
    assert r.ttl(LOGIN_ID_KEY.format(folded="amina.y")) == -1  # registered: kept for good
    creds = store.get(AMINA)
    assert creds is not None and creds.login_id == "Amina.Y"


def test_reserve_and_release(r: Redis) -> None:
    store = CredentialStore(r)
    store.reserve_login_id("chidi.o", CHIDI)
    assert 0 < r.ttl(LOGIN_ID_KEY.format(folded="chidi.o")) <= RESERVE_TTL_S
    store.reserve_login_id("Chidi.O", CHIDI)  # the holder may ask again
    with pytest.raises(LoginIdTaken):
        store.reserve_login_id("CHIDI.O", AMINA)
    store.release_login_id("chidi.o", AMINA)  # not the holder: nothing happens
    assert store.owner_of("chidi.o") == CHIDI
    store.release_login_id("chidi.o", CHIDI)
    assert store.owner_of("chidi.o") is None
    store.reserve_login_id("chidi.o", AMINA)
    assert store.owner_of("chidi.o") == AMINA


def test_create_needs_the_reservation(r: Redis) -> None:
    store = CredentialStore(r)
    store.reserve_login_id("amina.y", AMINA)
    unreserved = Credentials(
        msisdn=CHIDI,
        customer_id="C002",
        login_id="amina.y",
        pin_hash="h",
        status=AccountStatus.REGISTERED,
        registered_at=T0,
    )
    with pytest.raises(LoginIdTaken):
        store.create(unreserved)
    assert store.get(CHIDI) is None


def test_credentials_round_trip_status_and_delete(r: Redis) -> None:
    store = CredentialStore(r)
    creds = credentials(store)
    assert store.get(AMINA) == creds
    store.set_pin_hash(AMINA, "new-hash")
    store.set_status(AMINA, AccountStatus.BLOCKED, "staff", until=T0 + timedelta(hours=1))
    got = store.get(AMINA)
    assert got is not None
    assert (got.pin_hash, got.status, got.status_reason) == (
        "new-hash",
        AccountStatus.BLOCKED,
        "staff",
    )
    assert got.status_until == T0 + timedelta(hours=1)
    store.delete(AMINA)
    assert store.get(AMINA) is None
    assert store.owner_of("amina.y") is None


def test_accept_totp_step_refuses_replays(r: Redis) -> None:
    store = CredentialStore(r)
    credentials(store)
    step = int(T0.timestamp()) // 30
    assert store.accept_totp_step(AMINA, step)
    assert not store.accept_totp_step(AMINA, step)
    assert not store.accept_totp_step(AMINA, step - 1)
    assert store.accept_totp_step(AMINA, step + 1)
    got = store.get(AMINA)
    assert got is not None and got.totp_step == step + 1


def test_totp_accepts_the_current_and_previous_step_only() -> None:
    secret = totp.new_secret()
    otp = pyotp.TOTP(secret)
    step = int(T0.timestamp()) // 30
    assert totp.matching_step(secret, otp.at(T0), T0) == step
    assert totp.matching_step(secret, otp.at(T0 - timedelta(seconds=30)), T0) == step - 1
    assert totp.matching_step(secret, otp.at(T0 - timedelta(seconds=60)), T0) in (None, step)
    assert totp.matching_step(secret, otp.at(T0 + timedelta(seconds=30)), T0) in (None, step - 1)
    assert totp.matching_step(secret, "12345", T0) is None
    assert totp.matching_step(secret, "abcdef", T0) is None
    uri = totp.provisioning_uri(secret, "amina.y", "Demo Bank")
    assert uri.startswith("otpauth://totp/Demo%20Bank:amina.y?secret=")
    assert totp.qr_svg_data_uri(uri).startswith("data:image/svg+xml")


# --- login history ---


def test_login_history_keeps_the_newest_ten_masked(r: Redis) -> None:
    history = LoginHistory(r)
    chrome = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
    for minute in range(12):
        history.add(AMINA, T0 + timedelta(minutes=minute), "102.89.23.7", chrome)
    recent = history.recent(AMINA)
    assert [rec.at for rec in recent] == [T0 + timedelta(minutes=m) for m in (11, 10, 9, 8, 7)]
    assert {(rec.address, rec.agent) for rec in recent} == {("102.89.•.•", "Chrome on Android")}
    assert len(history.recent(AMINA, limit=50)) == 10
    assert "102.89.23.7" not in dump(r)
    assert history.recent(CHIDI) == []


@pytest.mark.parametrize(
    ("address", "masked"),
    [("102.89.23.7", "102.89.•.•"), ("2001:db8::1", "2001:0db8:•"), ("nonsense", "unknown")],
)
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_describe_agent() -> None:
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Safari/604.1"
    assert describe_agent(iphone) == "Safari on iPhone"
    assert describe_agent("curl/8.0") == "a browser"
