"""*API tokens* (``/admin/tokens``): every signed-in staff member's own personal tokens for the
admin JSON API — the list (name, id, created, last used, revoked), a form to create one (the
token is shown once, on the page that answers the form, and never again) and a revoke button
on each.

The store (``admin.staff.tokens``) audits every creation and revocation; a token acts with its
owner's role at the time of each call, so nothing here asks for a scope.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from admin.console.blueprint import bp
from admin.console.guard import CHANNEL, current_staff, requires
from admin.console.render import by_field, page
from admin.staff.token_records import MAX_ACTIVE, NAME_MAX, TokenNotFound, TokenProblem
from admin.wiring import services

FIELDS = ("name",)


def local_time(at: datetime | None) -> str:
    """A time on the bank's clock, as the console's tables show it ("—" for never)."""
    if at is None:
        return "—"
    return at.astimezone(services().zone).strftime("%Y-%m-%d %H:%M")


def _list(
    status: int = 200, name: str = "", problems: dict[str, list[str]] | None = None
) -> ResponseReturnValue:
    user = current_staff()
    return page(
        "admin/tokens.html",
        status,
        tokens=services().tokens.of(user.username),
        name=name,
        problems=problems or {},
        when=local_time,
        name_max=NAME_MAX,
        max_active=MAX_ACTIVE,
    )


@bp.get("/tokens")
@requires(None)
def tokens() -> ResponseReturnValue:
    return _list()


@bp.post("/tokens")
@requires(None)
def create_token() -> ResponseReturnValue:
    user = current_staff()
    name = request.form.get("name", "")[: NAME_MAX * 4]
    try:
        token, secret = services().tokens.create(user.username, name, channel=CHANNEL)
    except TokenProblem as exc:
        return _list(422, name, by_field(exc.problems, FIELDS))
    base = services().config.public_base_url.rstrip("/")
    return page(
        "admin/token_created.html",
        token=token,
        secret=secret,
        api=f"{base}/admin/api/v1",
        when=local_time,
    )


@bp.post("/tokens/<token_id>/revoke")
@requires(None)
def revoke_token(token_id: str) -> ResponseReturnValue:
    """Revoke one of your own tokens (an admin revokes others' from their staff page)."""
    user = current_staff()
    found = services().tokens.get(token_id)
    if found is None or found.owner != user.username:
        raise NotFound()
    try:
        token = services().tokens.revoke(token_id, user, channel=CHANNEL)
    except TokenNotFound as exc:
        raise NotFound() from exc
    flash(f"Token “{token.name}” ({token.token_id}) is revoked: calls with it now get 401.", "ok")
    return redirect(url_for("console.tokens"))
