"""Wiring the edge's blueprints into the app (called by ``app.create_app``)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from twilio.request_validator import RequestValidator

from bot import claims, dev, health, media, verify, webhook
from bot.claims import ClaimNotifier
from bot.dispatch import Dispatcher
from bot.effects import EffectRunner


def register_blueprints(app: Flask) -> None:
    services = app.extensions["teller"]
    config = services.config
    app.extensions["teller.validator"] = RequestValidator(config.twilio_auth_token)
    app.extensions["teller.dispatcher"] = Dispatcher(
        edge=services.edge,
        bank=services.bank,
        identity=services.auth,
        stepup=services.stepup,
        messenger=services.messenger,
        currency=config.default_currency,
        bank_name=services.bank_name,
        public_base_url=config.public_base_url,
        idle=timedelta(minutes=config.conversation_idle_minutes),
        clock=services.clock,
        effects=EffectRunner(
            services.redis,
            services.rq_redis,
            services.auth.limiter,
            services.clock,
            claims=ClaimNotifier(
                services.bank,
                services.messenger,
                services.rq_redis,
                config.public_base_url,
                services.bank_name,
            ),
            bank=services.bank,
            identity=services.auth,
            stepup=services.stepup,
        ),
    )
    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(claims.bp)
    if not config.is_production:
        app.register_blueprint(dev.bp)
