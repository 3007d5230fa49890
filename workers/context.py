"""What a job may use, built once per process: the job-side composition root.

Jobs take ids only and need no Flask app, so the services they use (the bank, Redis, the
messenger, the media store, the keys) live here. ``app.build_services`` installs them for the
process it builds: the web process (for its in-process worker), tests, and ``python -m app
worker``, which builds them before it forks its work process, so every job starts with them
(and reportlab and pypdf) warm. A job in a process where nothing was installed fails with a
clear message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal, Protocol

from redis import Redis

from bank.ports import CoreBanking
from messaging import Messenger, Notifier
from workers.media import MediaStore

Unlock = Literal["random", "dob"]  # how a document opens: a random password by SMS, or the DOB


class WindowKeys(Protocol):
    """Where a customer's 24-hour window is kept (``bot.window.Window``): a document's job reads
    it in the round trip that takes its lease, and hands it to the notifier."""

    def key(self, msisdn: str) -> str:
        """The Redis key of the customer's last inbound message time."""
        ...

    def parse(self, stored: object) -> datetime | None:
        """The time a value read from that key gives; None for no value."""
        ...


@dataclass(frozen=True)
class JobContext:
    bank: CoreBanking
    redis: Redis  # str replies: markers, statement requests
    raw: Redis  # bytes replies: media, the RQ queues
    messenger: Messenger  # SMS (document passwords); a customer's WhatsApp: ``notifier``
    notifier: Notifier  # the one path of proactive WhatsApp messages (the 24-hour window)
    window: WindowKeys  # the window the notifier decides on, for reading it ahead
    media: MediaStore
    bank_name: str
    zone: tzinfo  # the bank's clock: documents show their times on it
    public_base_url: str
    verify_key: bytes  # receipts.verification.derive_key(SECRET_KEY)
    unlock: Unlock
    clock: Callable[[], datetime]


_installed: JobContext | None = None


def install(context: JobContext) -> None:
    global _installed
    _installed = context


class NoJobContext(RuntimeError):
    """A job ran in a process whose services were never built (not started by ``app``)."""


def current() -> JobContext:
    """This process's context, as ``app.build_services`` installed it."""
    if _installed is None:
        raise NoJobContext(
            "no job services in this process: start workers with `python -m app worker`"
        )
    return _installed
