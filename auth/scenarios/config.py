"""The bank-wide MFA configuration (enabled challenge types, code length, expiry, attempts, and
the default for actions with no active scenario), stored in Redis with validated defaults.

Bounds follow SECURITY.md 13: codes of 6 to 8 digits, valid at most 5 minutes, at most 5 wrong
tries. A missing key means the defaults; a stored value that no longer parses is ignored for the
safe defaults (and logged), never trusted.

The stored value carries a ``version`` (0: never stored, the defaults; a value stored before
versions: 1), one more at every ``put``; a ``put`` from an older version is refused with
``Stale``, checked and written in one WATCH/MULTI transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from redis import Redis, WatchError

from auth.scenarios.codec import config_to_dict
from auth.scenarios.model import ChallengeType, DefaultRule, MfaConfig
from auth.scenarios.store import Stale
from auth.scenarios.validate import Invalid, challenge_pair, choice, unknown_fields

log = logging.getLogger(__name__)

# Keys — value shape, lifetime (the {mfa} hash tag keeps all MFA admin keys in one cluster slot):
CONFIG_KEY = "teller:{mfa}:config"  # str: JSON of codec.config_to_dict + "version"; no TTL
_RETRIES = 20

CONFIG_FIELDS = tuple(config_to_dict(MfaConfig()))
BOUNDS = {"code_length": (6, 8), "code_expiry_seconds": (60, 300), "max_attempts": (1, 5)}


def _whole(data: Mapping[str, Any], name: str, problems: list[str]) -> int:
    low, high = BOUNDS[name]
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{name}: a whole number from {low} to {high}")
        return low
    return value


def _enabled(raw: Any, problems: list[str]) -> tuple[ChallengeType, ...]:
    allowed = ", ".join(t.value for t in ChallengeType)
    if not isinstance(raw, list) or not raw:
        problems.append(f"enabled_types: a non-empty list from: {allowed}")
        return ()
    if any(not isinstance(t, str) or t not in set(ChallengeType) for t in raw):
        problems.append(f"enabled_types: each one of: {allowed}")
        return ()
    if len(set(raw)) != len(raw):
        problems.append("enabled_types: each type at most once")
    return tuple(ChallengeType(t) for t in dict.fromkeys(raw))


def parse_config(data: Mapping[str, Any]) -> MfaConfig:
    """The configuration after every rule, or ``Invalid`` with one message per problem."""
    problems = unknown_fields(data, CONFIG_FIELDS)
    enabled = _enabled(data.get("enabled_types"), problems)
    lengths = {name: _whole(data, name, problems) for name in BOUNDS}
    pair = ("default_primary", "default_backup")
    primary, backup = challenge_pair(data, pair, enabled or tuple(ChallengeType), problems)
    rule = choice(data, "default_non_monetary", DefaultRule, problems)
    if problems:
        raise Invalid(problems)
    assert primary is not None and rule is not None  # guaranteed by no problems
    return MfaConfig(
        enabled_types=enabled,
        default_primary=primary,
        default_backup=backup,
        default_non_monetary=rule,
        **lengths,
    )


class MfaConfigStore:
    """Reads and writes the configuration; Redis errors propagate (callers answer 503)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def get(self) -> MfaConfig:
        raw: str | None = self.redis.get(CONFIG_KEY)  # type: ignore[assignment]
        return in_force(raw)

    def get_versioned(self) -> tuple[MfaConfig, int]:
        raw: str | None = self.redis.get(CONFIG_KEY)  # type: ignore[assignment]
        return in_force(raw), version_of(raw)

    def put(
        self, config: MfaConfig, expected: int | None = None
    ) -> tuple[MfaConfig, MfaConfig, int]:
        """Store ``config``; returns the one it replaced (the one ``get`` would have given), the
        one stored and its version. ``Stale`` if the stored one is no longer at ``expected``
        (None: no check, in-process callers only)."""
        with self.redis.pipeline() as pipe:
            for _ in range(_RETRIES):
                try:
                    pipe.watch(CONFIG_KEY)  # type: ignore[no-untyped-call]
                    raw: str | None = pipe.get(CONFIG_KEY)  # type: ignore[assignment]
                    before, version = in_force(raw), version_of(raw)
                    if expected is not None and expected != version:
                        raise Stale(before, version)
                    stored = {**config_to_dict(config), "version": version + 1}
                    pipe.multi()
                    pipe.set(CONFIG_KEY, json.dumps(stored))
                    pipe.execute()
                    return before, config, version + 1
                except WatchError:
                    continue
        raise RuntimeError("mfa config store busy: try again")


def version_of(raw: str | None) -> int:
    """A stored value's version: 0 for none, 1 for one stored before versions."""
    if raw is None:
        return 0
    try:
        stored = json.loads(raw)
        version = stored.get("version", 1) if isinstance(stored, dict) else 1
    except ValueError:
        return 1
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


def in_force(raw: str | None) -> MfaConfig:
    """The configuration a stored value means: checked by today's rules, else the defaults."""
    if raw is None:
        return MfaConfig()
    try:
        stored = json.loads(raw)
        if not isinstance(stored, dict):  # valid JSON, but not a configuration
            raise TypeError("not an object")
        stored.pop("version", None)
        return parse_config(stored)
    except (ValueError, TypeError, Invalid):
        log.warning("mfa config: the stored value is unreadable; using the safe defaults")
        return MfaConfig()
