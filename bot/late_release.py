"""Locks let go of late: when a handler fails because Redis stopped answering (a stall, a
fail-over), it can't release the customer's lock either, and the customer would hear "I'm still
working on your previous message" until the lock's TTL ran out (10 s) — long after Redis came
back. The release is handed here instead and retried in the background until Redis answers or
the lock would have expired anyway. Safe to run late: the release script only deletes a lock
that still holds this handler's token, and a MessageSid still marked in progress.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class LateRelease:
    def __init__(self, interval_s: float = 0.2) -> None:
        self.interval_s = interval_s
        self._pending: list[tuple[Callable[[], object], float]] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, release: Callable[[], object], within_s: float) -> None:
        """Retry ``release`` until it succeeds or ``within_s`` seconds have passed."""
        with self._wake:
            self._pending.append((release, time.monotonic() + within_s))
            # Started on first use: a forked web worker gets its own thread.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="late-release", daemon=True)
                self._thread.start()
            self._wake.notify()

    def pending(self) -> int:
        with self._wake:
            return len(self._pending)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
                work = list(self._pending)
            done = [item for item in work if self._try(*item)]
            with self._wake:
                self._pending = [item for item in self._pending if item not in done]
                if self._pending:
                    self._wake.wait(self.interval_s)

    @staticmethod
    def _try(release: Callable[[], object], deadline: float) -> bool:
        """True when finished with: released, or past the point where the lock expired."""
        if time.monotonic() >= deadline:
            return True
        try:
            release()
        except RedisError:
            return False
        except Exception:  # a bug, not an outage: say so once and drop it
            log.exception("late release failed")
            return True
        log.info("released a customer's lock once Redis answered again")
        return True
