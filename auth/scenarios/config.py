"""The bank-wide MFA configuration (enabled challenge types, code length, expiry, attempts, and
the default for actions with no active scenario), stored in Redis with validated defaults.

Bounds follow SECURITY.md 13: codes of 6 to 8 digits, valid at most 5 minutes, at most 5 wrong
tries. A missing key means the defaults; a stored value that no longer parses is ignored for the
safe defaults (and logged), never trusted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from redis import Redis

from auth.scenarios.codec import config_to_dict
from auth.scenarios.model import ChallengeType, DefaultRule, MfaConfig
from auth.scenarios.validate import Invalid, challenge_pair, choice, unknown_fields

log = logging.getLogger(__name__)

# Keys — value shape, lifetime (the {mfa} hash tag keeps all MFA admin keys in one cluster slot):
CONFIG_KEY = "teller:{mfa}:config"  # str: JSON of codec.config_to_dict; no TTL

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

    def put(self, config: MfaConfig) -> MfaConfig:
        """Store ``config``; returns the one it replaced (the one ``get`` would have given)."""
        before: str | None = self.redis.set(  # type: ignore[assignment]
            CONFIG_KEY, json.dumps(config_to_dict(config)), get=True
        )
        return in_force(before)


def in_force(raw: str | None) -> MfaConfig:
    """The configuration a stored value means: checked by today's rules, else the defaults."""
    if raw is None:
        return MfaConfig()
    try:
        stored = json.loads(raw)
        if not isinstance(stored, dict):  # valid JSON, but not a configuration
            raise TypeError("not an object")
        return parse_config(stored)
    except (ValueError, TypeError, Invalid):
        log.warning("mfa config: the stored value is unreadable; using the safe defaults")
        return MfaConfig()
