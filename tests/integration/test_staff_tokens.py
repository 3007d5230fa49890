"""Personal API tokens on the private real Redis: shown once and stored only as a digest (a scan
of every key and value finds no trace of the token), listed by owner newest first, checked
(unknown, tampered, revoked, disabled or missing owner: refused; the owner's current role is
what the check returns), last use written at most once a minute, revoked by the owner or an
admin only, and every creation, revocation and refused use in the audit without the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest
from redis import Redis

from admin.staff.roles import Role
from admin.staff.token_records import (
    MAX_ACTIVE,
    TOKEN,
    TokenNotFound,
    TokenProblem,
    TokenRefused,
    derive_key,
    token_key,
)
from admin.staff.tokens import StaffTokens
from app import Services
from tests.conftest import stores_bytes
from tests.fakes import FrozenClock

# Their stores on a single Redis, a Sentinel-managed master and a Redis Cluster.
pytestmark = pytest.mark.redis_topologies


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    active: bool = True


@dataclass
class Directory:
    users: dict[str, User] = field(default_factory=dict)

    def add(self, username: str, role: Role) -> User:
        self.users[username] = User(username, role)
        return self.users[username]

    def get(self, username: str) -> User | None:
        return self.users.get(username)


@pytest.fixture
def directory() -> Directory:
    staff = Directory()
    staff.add("ada", Role.VIEWER)
    staff.add("grace", Role.ADMIN)
    staff.add("linus", Role.OPERATOR)
    return staff


@pytest.fixture
def tokens(services: Services, directory: Directory, clock: FrozenClock) -> StaffTokens:
    key = derive_key(services.config.secret_key)
    return StaffTokens(services.redis, key, clock, services.auth.audit, directory)


def audit_of(services: Services, event: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in services.auth.audit.entries(event=event)]


def _raw(value: object) -> bytes:
    assert isinstance(value, bytes)  # a bytes client's reply
    return value


def every_byte(redis: Redis) -> bytes:
    """Every key and every value in the database (read with a bytes client), as one blob."""
    parts: list[bytes] = []
    for key in redis.scan_iter():
        parts.append(key)
        kind = redis.type(key)
        if kind == b"hash":
            parts += [_raw(k) + b"=" + _raw(v) for k, v in redis.hgetall(key).items()]
        elif kind == b"set":
            parts += list(redis.smembers(key))
        elif kind == b"string":
            parts.append(redis.get(key) or b"")
        elif kind == b"stream":
            parts += [_raw(k) + b"=" + _raw(v) for _, e in redis.xrange(key) for k, v in e.items()]
        elif kind == b"list":
            parts += list(redis.lrange(key, 0, -1))
        elif kind == b"zset":
            parts += list(redis.zrange(key, 0, -1))
        else:
            raise AssertionError(f"unexpected key type {kind!r}")
    return b"\n".join(parts)


def test_a_token_is_shown_once_and_only_its_digest_is_stored(
    tokens: StaffTokens, services: Services
) -> None:
    record, secret = tokens.create("ada", "  deploy   script ", channel="console")

    assert TOKEN.fullmatch(secret)
    assert record.token_id == secret[4:12]
    assert record.name == "deploy script"
    assert record.owner == "ada" and record.active and record.last_used_at is None
    stored = every_byte(stores_bytes(services.config))
    assert secret.encode() not in stored
    assert secret[12:].encode() not in stored  # not even the secret part after the public id
    assert record.token_id.encode() in stored
    assert tokens.authenticate(secret).owner.username == "ada"


def test_the_digest_is_keyed_by_the_app_secret(
    tokens: StaffTokens, services: Services, directory: Directory, clock: FrozenClock
) -> None:
    """A token planted in Redis by someone without SECRET_KEY doesn't verify; nor do the
    tokens of an app with another secret."""
    _, secret = tokens.create("grace", "ops", channel="console")
    other = StaffTokens(
        services.redis, derive_key("another secret"), clock, services.auth.audit, directory
    )
    with pytest.raises(TokenRefused):
        other.authenticate(secret)


def test_listing_is_per_owner_and_newest_first(tokens: StaffTokens, clock: FrozenClock) -> None:
    first, _ = tokens.create("ada", "one", channel="console")
    clock.advance(minutes=1)
    second, _ = tokens.create("ada", "two", channel="console")
    tokens.create("grace", "hers", channel="console")

    assert [t.token_id for t in tokens.of("ada")] == [second.token_id, first.token_id]
    assert [t.name for t in tokens.of("grace")] == ["hers"]
    assert tokens.of("nobody") == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "bell\x07", "right\u202eleft"])
def test_a_bad_name_is_refused_and_nothing_is_stored(
    tokens: StaffTokens, services: Services, name: str
) -> None:
    with pytest.raises(TokenProblem) as refused:
        tokens.create("ada", name, channel="console")

    assert refused.value.problems[0].startswith("name: ")
    assert tokens.of("ada") == []
    assert audit_of(services, "staff.token_created") == []


def test_a_name_in_use_and_too_many_tokens_are_refused(tokens: StaffTokens) -> None:
    tokens.create("ada", "Deploy", channel="console")
    with pytest.raises(TokenProblem, match="already have a token with this name"):
        tokens.create("ada", "deploy", channel="console")
    tokens.create("grace", "deploy", channel="console")  # another owner's name is free

    for n in range(1, MAX_ACTIVE):
        tokens.create("ada", f"script {n}", channel="console")
    with pytest.raises(TokenProblem, match="revoke one"):
        tokens.create("ada", "one more", channel="console")
    assert len(tokens.of("ada")) == MAX_ACTIVE


def test_the_check_refuses_what_is_not_a_valid_token(tokens: StaffTokens) -> None:
    _, secret = tokens.create("ada", "ci", channel="api")
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    made_up = "tlr_" + secret[4:12] + "x" * 35

    for presented in ["", "tlr_", "nonsense", secret + "x", tampered, made_up, secret.upper()]:
        with pytest.raises(TokenRefused, match="unknown token"):
            tokens.authenticate(presented)


def test_the_check_returns_the_owner_with_the_role_they_have_now(
    tokens: StaffTokens, directory: Directory
) -> None:
    _, secret = tokens.create("ada", "ci", channel="console")
    assert tokens.authenticate(secret).owner.role is Role.VIEWER

    directory.users["ada"] = replace(directory.users["ada"], role=Role.ADMIN)

    assert tokens.authenticate(secret).owner.role is Role.ADMIN


def test_a_disabled_or_missing_owner_stops_every_token_of_theirs(
    tokens: StaffTokens, directory: Directory, services: Services
) -> None:
    _, one = tokens.create("linus", "one", channel="console")
    _, two = tokens.create("linus", "two", channel="console")
    directory.users["linus"] = replace(directory.users["linus"], active=False)

    for secret in (one, two):
        with pytest.raises(TokenRefused, match="owner can't sign in"):
            tokens.authenticate(secret)

    directory.users["linus"] = replace(directory.users["linus"], active=True)
    assert tokens.authenticate(one).owner.username == "linus"  # enabled again: it works again
    del directory.users["linus"]
    with pytest.raises(TokenRefused):
        tokens.authenticate(one)
    refused = audit_of(services, "staff.token_refused")
    assert {e["reason"] for e in refused} == {"owner not active"}
    assert all(one not in str(e) and two not in str(e) for e in refused)


def test_last_use_is_written_at_most_once_a_minute(
    tokens: StaffTokens, clock: FrozenClock, services: Services
) -> None:
    record, secret = tokens.create("ada", "ci", channel="console")
    started = clock.now

    tokens.authenticate(secret)
    assert tokens.get(record.token_id).last_used_at == started
    clock.advance(seconds=59)
    tokens.authenticate(secret)
    assert tokens.get(record.token_id).last_used_at == started  # not written again
    clock.advance(seconds=1)
    tokens.authenticate(secret)
    assert tokens.get(record.token_id).last_used_at == clock.now


def test_the_owner_revokes_their_token_and_it_stops_at_once(
    tokens: StaffTokens, directory: Directory, services: Services, clock: FrozenClock
) -> None:
    record, secret = tokens.create("ada", "ci", channel="console")
    clock.advance(seconds=1)
    kept, other = tokens.create("ada", "other", channel="console")

    revoked = tokens.revoke(record.token_id, directory.users["ada"], channel="console")

    assert not revoked.active and revoked.revoked_by == "ada" and revoked.revoked_at == clock.now

    with pytest.raises(TokenRefused, match="revoked"):
        tokens.authenticate(secret)
    assert tokens.authenticate(other).token.token_id == kept.token_id
    assert [t.active for t in tokens.of("ada")] == [True, False]  # listed, as revoked
    ttl = services.redis.ttl(token_key(record.token_id))
    assert 29 * 86400 < ttl <= 30 * 86400
    assert services.redis.ttl(token_key(kept.token_id)) == -1  # an active token never expires
    # Revoking again changes nothing and records nothing more.
    tokens.revoke(record.token_id, directory.users["ada"], channel="console")
    assert len(audit_of(services, "staff.token_revoked")) == 1


def test_only_the_owner_or_an_admin_may_revoke(
    tokens: StaffTokens, directory: Directory, services: Services
) -> None:
    record, secret = tokens.create("ada", "ci", channel="console")

    with pytest.raises(TokenNotFound):
        tokens.revoke(record.token_id, directory.users["linus"], channel="console")
    with pytest.raises(TokenNotFound):
        tokens.revoke("nosuchid", directory.users["grace"], channel="console")
    with pytest.raises(TokenNotFound):
        tokens.revoke("../../x", directory.users["grace"], channel="console")
    assert tokens.authenticate(secret).owner.username == "ada"

    revoked = tokens.revoke(record.token_id, directory.users["grace"], channel="console")

    assert revoked.revoked_by == "grace"
    [entry] = audit_of(services, "staff.token_revoked")
    assert entry["actor"] == "grace" and entry["target"] == "ada"


def test_revoke_all_ends_every_active_token_of_one_owner(
    tokens: StaffTokens, directory: Directory
) -> None:
    _, one = tokens.create("ada", "one", channel="console")
    _, two = tokens.create("ada", "two", channel="console")
    _, hers = tokens.create("grace", "hers", channel="console")

    assert tokens.revoke_all("ada", "grace", channel="console") == 2
    assert tokens.revoke_all("ada", "grace", channel="console") == 0

    for secret in (one, two):
        with pytest.raises(TokenRefused):
            tokens.authenticate(secret)
    assert tokens.authenticate(hers).owner.username == "grace"


def test_creation_revocation_and_refusals_are_audited_without_the_token(
    tokens: StaffTokens, directory: Directory, services: Services, clock: FrozenClock
) -> None:
    record, secret = tokens.create("ada", "ci", channel="console")
    tokens.revoke(record.token_id, directory.users["ada"], channel="console")
    for _ in range(3):
        with pytest.raises(TokenRefused):
            tokens.authenticate(secret)
    clock.advance(minutes=1)
    with pytest.raises(TokenRefused):
        tokens.authenticate(secret)

    [created] = audit_of(services, "staff.token_created")
    [revoked] = audit_of(services, "staff.token_revoked")
    refused = audit_of(services, "staff.token_refused")
    assert created["actor"] == "ada" and created["token_id"] == record.token_id
    assert created["channel"] == "console" and created["customer"] == ""
    assert revoked["actor"] == "ada" and revoked["token_id"] == record.token_id
    assert len(refused) == 2  # three tries in one minute, one a minute later
    assert refused[0]["reason"] == "revoked" and refused[0]["channel"] == "api"
    assert secret.encode() not in every_byte(stores_bytes(services.config))
