"""The production Redis check at start (SECURITY.md 25): Teller keeps sessions, challenges,
lockouts, the audit log and the job queues in Redis, so a Redis that evicts keys under memory
pressure or keeps nothing on disk loses them silently. Each unsafe setting gets a warning that
names it and the value to set; a Redis that won't show its settings (managed services often
refuse ``CONFIG``) gets a warning saying what to check by hand. Nothing here stops Teller: the
operator decides, but not without being told.
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("teller")


def _setting(redis: Redis, name: str) -> str:
    found: dict[str, str] = redis.config_get(name)  # type: ignore[assignment]
    value = found.get(name, "")
    return value.decode() if isinstance(value, bytes) else str(value)


def redis_problems(redis: Redis) -> list[str]:
    """What is unsafe about this Redis for Teller, one sentence each ([] when nothing)."""
    try:
        policy = _setting(redis, "maxmemory-policy")
        appendonly = _setting(redis, "appendonly")
        save = _setting(redis, "save")
    except RedisError as exc:
        return [
            f"Redis settings could not be read ({type(exc).__name__}: CONFIG GET refused?): "
            "make sure maxmemory-policy is noeviction and persistence (appendonly yes, or save "
            "snapshots) is on"
        ]
    problems = []
    if policy != "noeviction":
        problems.append(
            f"Redis maxmemory-policy is {policy}: under memory pressure Redis would evict "
            "sessions, locks, challenges, audit entries or queued jobs; set it to noeviction"
        )
    if appendonly != "yes" and not save.strip():
        problems.append(
            'Redis persistence is off (appendonly no, save ""): a restart loses sessions, '
            "lockouts, the audit log and queued receipts; set appendonly yes (or save snapshots)"
        )
    return problems


def warn_about_redis(redis: Redis, where: str = "") -> list[str]:
    """Log each problem of ``redis_problems`` as a warning, naming the master ``where`` it is
    (several with Sentinel's queue master or a Cluster); returns them."""
    problems = redis_problems(redis)
    for problem in problems:
        if where:
            log.warning("production: %s: %s", where, problem)
        else:
            log.warning("production: %s", problem)
    return problems
