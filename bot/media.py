"""``GET /media/<token>[/<file name>]``: a rendered document for Twilio to fetch.

The token is signed and expiring (``workers.media``); a tampered, expired or unknown one gets a
plain 404 that says nothing more. The PDF is served as ``application/pdf`` with a sensible file
name and ``no-store``: it is encrypted, but no cache should keep a copy. Twilio checks the
content type and may ask with HEAD first (Flask answers HEAD for GET routes).
"""

from __future__ import annotations

from flask import Blueprint, Response

from bot.wiring import services

bp = Blueprint("media", __name__)


def _not_found() -> Response:
    return Response(
        "not found\n", status=404, mimetype="text/plain", headers={"Cache-Control": "no-store"}
    )


@bp.get("/media/<token>")
@bp.get("/media/<token>/<filename>")
def media(token: str, filename: str | None = None) -> Response:
    store = services().media
    found = store.get(token) if len(token) <= 200 else None
    if found is None or (filename is not None and filename != found.filename):
        return _not_found()
    return Response(
        found.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{found.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )
