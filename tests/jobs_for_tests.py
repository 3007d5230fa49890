"""Importable job functions for worker tests (jobs take plain ids, like Teller's own)."""

from __future__ import annotations

import os

from redis import Redis


def mark_done(redis_url: str, job_key: str) -> str:
    """Record that this job ran (and in which process) so a test can see it."""
    client = Redis.from_url(redis_url)
    client.rpush(f"test:ran:{job_key}", os.getpid())
    return job_key


def slow_mark(redis_url: str, job_key: str, seconds: float) -> str:
    """``mark_done`` after ``seconds``: long enough for a test to pull Redis away meanwhile."""
    import time

    time.sleep(seconds)
    return mark_done(redis_url, job_key)
