"""Wiring the edge's blueprints into the app (called by ``app.create_app``)."""

from __future__ import annotations

from flask import Flask

from bot import claims, dev, health, media, verify, webhook, wiring


def register_blueprints(app: Flask, graph: wiring.EdgeServices, *, production: bool) -> None:
    """Register the edge's views, which reach ``graph`` through ``bot.wiring.services()``."""
    wiring.install(app, graph)
    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(claims.bp)
    if not production:
        app.register_blueprint(dev.bp)
