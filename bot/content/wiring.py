"""Building the button and list replies for the composition root (``app.services``)."""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError

from bot.content.definitions import registry
from bot.content.replies import InteractiveReplies
from bot.content.store import ContentStore, OfferStore
from bot.content.sync import sync_local
from bot.messenger import OutboxMessenger, TwilioMessenger
from messaging import Messenger

log = logging.getLogger("teller")


def interactive_replies(
    redis: Redis, messenger: Messenger, register_locally: bool
) -> InteractiveReplies | None:
    """Button and list replies for a messenger that can send content templates; they are
    used once templates are synced (``whatsapp sync-content``, or ``register_locally`` for the
    dev outbox: TELLER_OUTBOX_CONTENT)."""
    if not isinstance(messenger, TwilioMessenger | OutboxMessenger):
        return None  # a test's recording messenger: replies stay text
    content = ContentStore(redis)
    if register_locally and isinstance(messenger, OutboxMessenger):
        try:
            sync_local(content, registry())
            log.info("whatsapp: button and list templates registered for the dev outbox")
        except RedisError as exc:  # replies stay text until the next start
            log.warning("whatsapp: local templates not registered: %s", exc)
    return InteractiveReplies(content, OfferStore(redis), messenger)
