"""What the edge's views use, and the one typed way they reach it.

``app.create_app`` hands its service graph to ``install``; every view of ``bot/`` then asks
``services()`` for it. ``EdgeServices`` names exactly what the edge needs, so the edge doesn't
import the composition root (``app`` sits above every package) and mypy checks, at the
``install`` call, that the graph provides all of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Protocol

from flask import Flask, current_app
from redis import Redis
from rq import Queue
from twilio.request_validator import RequestValidator

from auth.ports import IssuedLink
from auth.stores.credentials import CredentialStore
from auth.stores.ratelimit import RateLimiter
from bank.ports import CoreBanking
from bot.dispatch import Dispatcher
from bot.outbound import ProactiveSender
from bot.store import EdgeStore
from messaging import Messenger
from workers.media import MediaStore

KEY = "teller.edge"


class EdgeSettings(Protocol):
    """The settings the edge reads."""

    @property
    def public_base_url(self) -> str: ...
    @property
    def is_production(self) -> bool: ...
    @property
    def twilio_whatsapp_from(self) -> str: ...
    @property
    def twilio_account_sid(self) -> str | None: ...


class Limits(Protocol):
    @property
    def limiter(self) -> RateLimiter: ...
    @property
    def credentials(self) -> CredentialStore: ...  # whether a number registered for chat banking
    def link(self, msisdn: str, customer_id: str, purpose: str) -> IssuedLink:
        """A one-time secure-page link (the claim page's: opening a wallet for its number)."""
        ...

    def claim_login_link(self, msisdn: str, customer_id: str, claim_id: str) -> IssuedLink:
        """The one-time login page that pays a claim into the number's wallet."""
        ...

    def language(self, msisdn: str) -> str:
        """The number's language (the claim page speaks it)."""
        ...


class EdgeServices(Protocol):
    """The part of the service graph the webhook, media, health, claim, verify and dev views use."""

    @property
    def config(self) -> EdgeSettings: ...
    @property
    def redis(self) -> Redis: ...
    @property
    def rq_redis(self) -> Redis: ...
    def redis_masters(self) -> list[Redis]:
        """A client of each Redis master in use now (every Cluster master, the Sentinel's)."""
        ...

    @property
    def queue(self) -> Queue: ...
    @property
    def bank(self) -> CoreBanking: ...
    @property
    def bank_name(self) -> str: ...
    @property
    def zone(self) -> tzinfo: ...
    @property
    def messenger(self) -> Messenger: ...
    @property
    def outbound(self) -> ProactiveSender: ...
    @property
    def edge(self) -> EdgeStore: ...
    @property
    def auth(self) -> Limits: ...
    @property
    def validator(self) -> RequestValidator: ...
    @property
    def dispatcher(self) -> Dispatcher: ...
    @property
    def media(self) -> MediaStore: ...
    @property
    def verify_key(self) -> bytes: ...
    @property
    def verify_keys(self) -> tuple[bytes, ...]: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...


def install(app: Flask, graph: EdgeServices) -> None:
    app.extensions[KEY] = graph


def services() -> EdgeServices:
    """The edge's services, for the app handling this request."""
    graph: EdgeServices = current_app.extensions[KEY]
    return graph
