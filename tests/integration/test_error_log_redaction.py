"""A view that fails on a page whose URL carries a one-time token logs the failure (Flask's
``Exception on <path> [<method>]`` and the traceback) without the token (SECURITY.md 20)."""

from __future__ import annotations

import logging

import pytest
from flask import Flask, request

from auth.service import AuthService
from auth.stores.ratelimit import RateLimiter
from workers.media import MediaStore

TOKEN = "k3Fq9x-Zr8_sl2PQ0aBcDeFgHiJkLmNoPq"


def _boom(*args: object, **kwargs: object) -> None:
    # The exception's own message names the URL too: the traceback must not carry its token.
    raise RuntimeError(f"failed on {request.path}")


@pytest.mark.parametrize(
    ("method", "path", "target", "name"),
    [
        ("GET", f"/secure/login/{TOKEN}", AuthService, "open_link"),
        ("GET", f"/secure/stepup/{TOKEN}", AuthService, "open_link"),
        ("GET", f"/secure/register/{TOKEN}", AuthService, "open_link"),
        ("GET", f"/media/{TOKEN}/receipt.pdf", MediaStore, "get"),
        ("GET", f"/claim/{TOKEN}", RateLimiter, "hit"),
    ],
)
def test_the_error_log_holds_no_token(
    app: Flask,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    target: type,
    name: str,
) -> None:
    app.config.update(PROPAGATE_EXCEPTIONS=False)
    monkeypatch.setattr(target, name, _boom)
    caplog.set_level(logging.DEBUG)
    response = app.test_client().open(path, method=method)
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors, "the failure is logged"
    assert any(r.getMessage().startswith("Exception on /") for r in errors)
    assert any(r.exc_info for r in errors)  # the traceback is kept, only the token is not
    assert "…" in caplog.text
    assert TOKEN not in caplog.text
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in (record.exc_text or "")


def test_records_without_a_secret_keep_their_arguments(caplog: pytest.LogCaptureFixture) -> None:
    from bot.access_log import install_redaction

    install_redaction()
    install_redaction()  # idempotent: one wrapper
    caplog.set_level(logging.INFO)
    logging.getLogger("teller.test").info("GET %s %s", "/dev/outbox", 200)
    logging.getLogger("teller.test").info("opened %s", f"/secure/pin/{TOKEN}")
    first, second = caplog.records[-2:]
    assert first.args == ("/dev/outbox", 200)
    assert second.getMessage() == "opened /secure/pin/…"
