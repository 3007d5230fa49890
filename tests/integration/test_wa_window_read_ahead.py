"""The window read ahead (``LastInbound``): a caller that read the customer's last inbound time in
a round trip of its own (a document's job, with its lease) hands it to the notifier, which then
decides on it exactly as on its own read; without one, the notifier reads the window itself. The
job reads the window by the notifier's own key and format (``Window.key``, ``Window.parse``). A
document outside the window, read this way, is offered: test_wa_window_paths.
"""

from __future__ import annotations

from datetime import timedelta

from app import Services
from bot.messenger import OutboxMessenger
from bot.window import MARGIN, WINDOW
from messaging import LastInbound, Notice, Path
from tests.conftest import AMINA
from tests.fakes import FrozenClock


def notice() -> Notice:
    return Notice("kyc_rejected", AMINA, {"bank": "Demo Bank", "reason": "the photo is blurred"})


def test_the_notifier_decides_on_the_time_it_is_given(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    services.outbound.window.seen(AMINA, clock.now)  # open, as the notifier's own read sees it
    assert services.outbound.notify(notice()).path is Path.SESSION
    # The caller read "no message on record": closed, as if the notifier had read that itself.
    sent = services.outbound.notify(notice(), LastInbound(None))
    assert sent.path is Path.SMS and "no message from them on record" in sent.reason
    # And the edge of the window holds for a time read ahead as for one read now.
    services.outbound.window.close(AMINA)
    edge = clock.now - (WINDOW - MARGIN)
    assert services.outbound.notify(notice(), LastInbound(edge)).path is Path.SMS
    inside = edge + timedelta(seconds=1)
    assert services.outbound.notify(notice(), LastInbound(inside)).path is Path.SESSION
    assert [m["path"] for m in outbox.messages(AMINA)] == ["session", "sms", "sms", "session"]


def test_the_window_key_and_its_stored_time_read_back(
    services: Services, clock: FrozenClock
) -> None:
    window = services.outbound.window
    assert window.parse(None) is None
    window.seen(AMINA, clock.now)
    stored = services.redis.get(window.key(AMINA))
    assert window.parse(stored) == window.last(AMINA)
    assert window.parse(str(stored).encode()) == window.last(AMINA)  # a bytes client's reply
