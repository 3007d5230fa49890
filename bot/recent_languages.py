"""The languages this process last read for the numbers that wrote to it, for one reply only:
the "try again" of a message whose claim failed because Redis didn't answer, when the number's
language (kept in Redis, ``auth.stores.languages``) can't be read.

Every claim reads the number's language with the lock (``bot.store``), so remembering it costs
no round trip. It is a hint, not state: bounded (the least recent numbers are forgotten first),
lost on restart, unknown to the other processes, and never used for anything but that apology:
a number it doesn't hold is answered in English.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from messaging.languages import SOURCE

CAPACITY = 10_000  # numbers; a few hundred kilobytes at most


class RecentLanguages:
    """Number → the language last read for it, least recently seen forgotten first."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()  # one process serves many requests at once

    def note(self, msisdn: str, language: str) -> None:
        with self._lock:
            self._seen[msisdn] = language
            self._seen.move_to_end(msisdn)
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)

    def get(self, msisdn: str) -> str:
        """The language last read for the number; English when this process holds none."""
        with self._lock:
            return self._seen.get(msisdn, SOURCE)
