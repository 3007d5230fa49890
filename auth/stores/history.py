"""Recent logins per customer, for the in-chat security centre: when, from where (masked) and
with what browser. Kept short on purpose: the audit stream is the full record.
"""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import datetime

from redis import Redis

from auth.ports import LoginRecord

LOGINS_KEY = "teller:{{{msisdn}}}:logins"  # list of JSON {at, address, agent}, newest first
KEEP = 10
TTL_S = 90 * 24 * 3600

_BROWSERS = (
    ("Edge", re.compile(r"Edg/")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/")),
    ("Chrome", re.compile(r"(Chrome|CriOS|Chromium)/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iPhone", re.compile(r"iPhone|iPad")),
    ("Windows", re.compile(r"Windows")),
    ("Mac", re.compile(r"Macintosh|Mac OS X")),
    ("Linux", re.compile(r"Linux")),
)


def describe_agent(user_agent: str) -> str:
    """``"Chrome on Android"``: enough for a customer to recognise, nothing more."""
    browser = next((name for name, rx in _BROWSERS if rx.search(user_agent)), "a browser")
    system = next((name for name, rx in _SYSTEMS if rx.search(user_agent)), "")
    return f"{browser} on {system}" if system else browser


def mask_address(address: str) -> str:
    """``102.89.23.7`` → ``102.89.•.•``; IPv6 keeps its first two groups."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 4:
        a, b, _, _ = str(ip).split(".")
        return f"{a}.{b}.•.•"
    groups = ip.exploded.split(":")
    return f"{groups[0]}:{groups[1]}:•"


class LoginHistory:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def add(self, msisdn: str, at: datetime, address: str, user_agent: str) -> None:
        key = LOGINS_KEY.format(msisdn=msisdn)
        record = {
            "at": at.isoformat(),
            "address": mask_address(address),
            "agent": describe_agent(user_agent),
        }
        pipe = self.redis.pipeline(transaction=True)
        pipe.lpush(key, json.dumps(record))
        pipe.ltrim(key, 0, KEEP - 1)
        pipe.expire(key, TTL_S)
        pipe.execute()

    def recent(self, msisdn: str, limit: int = 5) -> list[LoginRecord]:
        raw: list[str] = self.redis.lrange(LOGINS_KEY.format(msisdn=msisdn), 0, limit - 1)  # type: ignore[assignment]
        records = [json.loads(item) for item in raw]
        return [
            LoginRecord(datetime.fromisoformat(r["at"]), r["address"], r["agent"]) for r in records
        ]
