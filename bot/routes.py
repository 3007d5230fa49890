"""Wiring the edge's blueprints into the app (called by ``app.create_app``)."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from bot import claims, dev, health, media, verify, webhook, wiring

# Twilio's webhooks: no cookie, no page, no session.
SESSIONLESS_PREFIX = "/whatsapp/"


class PagesOnlySessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session for the pages; Twilio's webhooks get the null session
    without reading a cookie (Flask would otherwise build a signer and a session object for
    every message, which no webhook view ever uses). Writing to it there raises, so a view
    that started to need a session would fail loudly in its tests, not drop data."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(SESSIONLESS_PREFIX):
            return None  # Flask then uses make_null_session, and saves nothing
        return super().open_session(app, request)


def register_blueprints(app: Flask, graph: wiring.EdgeServices, *, production: bool) -> None:
    """Register the edge's views, which reach ``graph`` through ``bot.wiring.services()``."""
    wiring.install(app, graph)
    app.session_interface = PagesOnlySessions()
    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(claims.bp)
    if not production:
        app.register_blueprint(dev.bp)
