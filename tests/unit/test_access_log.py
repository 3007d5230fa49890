"""The access log names every request without the tokens in its URL."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config  # type: ignore[import-untyped]

from bot.access_log import QuietPolling, RedactingFilter, RedactingLogger, redact

TOKEN = "k3Fq9x-Zr8_sl2PQ0aBcDeFgHiJkLmNoPqRsTuVwXyZ"


def test_tokens_in_paths_are_redacted() -> None:
    assert redact(f"/secure/login/{TOKEN}") == "/secure/login/…"
    assert redact(f"/secure/register/{TOKEN}/details") == "/secure/register/…/details"
    assert redact(f"/media/{TOKEN}/receipt.pdf") == "/media/…/receipt.pdf"
    assert redact(f"GET /claim/{TOKEN} HTTP/1.1") == "GET /claim/… HTTP/1.1"
    assert redact("/whatsapp/inbound") == "/whatsapp/inbound"
    assert redact("/static/secure.css") == "/static/secure.css"


def test_the_gunicorn_logger_writes_no_token() -> None:
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/secure/stepup/{TOKEN}",
        "PATH_INFO": f"/secure/stepup/{TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://bank.example/media/{TOKEN}/statement.pdf",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    line = logger.cfg.access_log_format % atoms
    assert TOKEN not in line
    assert '"GET /secure/stepup/… HTTP/1.1" 200' in line


def test_the_development_server_log_writes_no_token() -> None:
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - "%s" %s',
        ("127.0.0.1", f"GET /claim/{TOKEN} HTTP/1.1", "200"),
        None,
    )
    assert RedactingFilter().filter(record)
    assert TOKEN not in record.getMessage() and "/claim/…" in record.getMessage()


def _request_line(line: str) -> logging.LogRecord:
    return logging.LogRecord(
        "werkzeug.polling", logging.INFO, __file__, 1, '%s - - "%s" %s',
        ("127.0.0.1", line, "200"), None,
    )  # fmt: skip


def test_the_simulators_outbox_polling_is_left_out_of_the_info_log() -> None:
    quiet = QuietPolling()
    logging.getLogger("werkzeug.polling").setLevel(logging.INFO)
    assert not quiet.filter(_request_line("GET /dev/outbox?to=%2B2348030000001 HTTP/1.1"))
    assert quiet.filter(_request_line("POST /whatsapp/inbound HTTP/1.1"))
    logging.getLogger("werkzeug.polling").setLevel(logging.DEBUG)
    assert quiet.filter(_request_line("GET /dev/outbox HTTP/1.1"))  # kept when asked for


def test_console_setup_links_are_redacted() -> None:
    line = "GET /admin/setup/Zx9_k-3F2aQ/authenticator HTTP/1.1"
    assert redact(line) == "GET /admin/setup/…/authenticator HTTP/1.1"
    assert redact("GET /admin/scenarios?q=transfer") == "GET /admin/scenarios?q=transfer"
