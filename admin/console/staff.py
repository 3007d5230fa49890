"""*Staff* (``/admin/staff``, admins only: ``MANAGE_STAFF``): who has access to the console and
the API — the list (username, role, status, created, last sign-in, locked until), creating a
user (the one-time set-up link is shown once, on the page that answers), and on each user's
page: change the role, disable or enable, reset (a new set-up link; their password,
authenticator and API tokens are cleared, as they may no longer be theirs alone), lift a
sign-in lockout, and revoke their API tokens.

No one can disable, demote or reset themself, and the last active admin stays one (the
accounts refuse it), so the console always has an admin. Disabling or a new role ends the
user's sessions; their tokens follow their role and status at the next call. Every change and
every refusal is audited with the admin as actor and the user as target.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from admin.console.blueprint import bp
from admin.console.guard import CHANNEL, audit_staff, current_staff, requires
from admin.console.render import by_field, page
from admin.console.tokens import local_time
from admin.staff.accounts import (
    SETUP_TTL,
    USERNAME,
    USERNAME_RULE,
    StaffProblem,
    StaffStatus,
    StaffUser,
)
from admin.staff.roles import Permission, Role, describe
from admin.staff.token_records import TokenNotFound
from admin.wiring import services

FIELDS = ("username", "role", "status")
ROLE_CHOICES = [(role.value, role.value) for role in Role]
ROLE_HELP = [(role.value, describe(role)) for role in Role]
LINK_HOURS = int(SETUP_TTL.total_seconds() // 3600)
SELF = {
    "role": "role: you can't change your own role; ask another admin",
    "status": "status: you can't disable yourself; ask another admin",
    "reset": "status: you can't reset yourself; ask another admin for a new set-up link",
}


def _user(username: str) -> StaffUser:
    user = services().staff.get(username)
    if user is None:
        raise NotFound()
    return user


def _role(raw: str) -> Role | None:
    try:
        return Role(raw)
    except ValueError:
        return None


def _list(status: int = 200, **form: object) -> ResponseReturnValue:
    return page(
        "admin/staff.html",
        status,
        users=services().staff.all(),
        roles=ROLE_CHOICES,
        role_help=ROLE_HELP,
        rule=USERNAME_RULE,
        when=local_time,
        problems=form.pop("problems", {}),
        **form,
    )


def _detail(
    user: StaffUser, status: int = 200, problems: list[str] | None = None
) -> ResponseReturnValue:
    return page(
        "admin/staff_user.html",
        status,
        user=user,
        tokens=services().tokens.of(user.username),
        roles=ROLE_CHOICES,
        role_help=ROLE_HELP,
        when=local_time,
        is_me=user.username == current_staff().username,
        problems=by_field(problems or [], FIELDS),
    )


def _link(user: StaffUser, token: str, event: str) -> ResponseReturnValue:
    return page(
        "admin/staff_link.html",
        user=user,
        url=services().staff.setup_url(token),
        hours=LINK_HOURS,
        event=event,
    )


def _refused(user: StaffUser, event: str, problems: list[str]) -> ResponseReturnValue:
    """The user's page with why not beside the form; a refused change (a POST) is audited."""
    if request.method == "POST":
        audit_staff(event, result="refused", target=user.username, reason=problems[0])
    return _detail(user, 422, problems)


def _back(user: StaffUser, message: str) -> Response:
    flash(message, "ok")
    return redirect(url_for("console.staff_user", username=user.username))


@bp.get("/staff")
@requires(Permission.MANAGE_STAFF)
def staff() -> ResponseReturnValue:
    return _list(username="", role="")


@bp.post("/staff")
@requires(Permission.MANAGE_STAFF)
def create_staff() -> ResponseReturnValue:
    admin = current_staff()
    username = request.form.get("username", "").strip().lower()[:64]
    raw_role = request.form.get("role", "")
    role = _role(raw_role)
    problems = [] if role else ["role: choose one of the roles listed"]
    if role is None and not USERNAME.fullmatch(username):
        problems.insert(0, f"username: {USERNAME_RULE}")  # both problems at once
    token = ""
    if role is not None:
        try:
            token = services().staff.create(username, role, by=admin.username)
        except StaffProblem as exc:
            problems = exc.problems
    if problems or role is None:
        return _list(422, username=username, role=raw_role, problems=by_field(problems, FIELDS))
    audit_staff("staff.created", target=username, role=role.value)
    return _link(_user(username), token, "created")


@bp.get("/staff/<username>")
@requires(Permission.MANAGE_STAFF)
def staff_user(username: str) -> ResponseReturnValue:
    return _detail(_user(username))


@bp.post("/staff/<username>/role")
@requires(Permission.MANAGE_STAFF)
def change_role(username: str) -> ResponseReturnValue:
    user = _user(username)
    role = _role(request.form.get("role", ""))
    if role is None:
        return _detail(user, 422, ["role: choose one of the roles listed"])
    if role is user.role:
        return _back(user, f"{user.username} is {role.value} already: nothing changed.")
    if user.username == current_staff().username:
        return _refused(user, "staff.role_changed", [SELF["role"]])
    try:
        changed = services().staff.set_role(username, role, by=current_staff().username)
    except StaffProblem as exc:
        return _refused(user, "staff.role_changed", exc.problems)
    audit_staff("staff.role_changed", target=username, before=user.role.value, after=role.value)
    return _back(changed, f"{username} is now {role.value}; they sign in again to use it.")


@bp.route("/staff/<username>/disable", methods=["GET", "POST"])
@requires(Permission.MANAGE_STAFF)
def disable_staff(username: str) -> ResponseReturnValue:
    user = _user(username)
    if user.username == current_staff().username:
        return _refused(user, "staff.disabled", [SELF["status"]])
    if user.status is StaffStatus.DISABLED:
        return _back(user, f"{username} is disabled already: nothing changed.")
    if request.method == "GET":
        return page("admin/staff_confirm.html", user=user, action="disable")
    try:
        services().staff.disable(username, by=current_staff().username)
    except StaffProblem as exc:
        return _refused(user, "staff.disabled", exc.problems)
    audit_staff("staff.disabled", target=username)
    return _back(user, f"{username} is disabled: signed out, and their API tokens get 401.")


@bp.post("/staff/<username>/enable")
@requires(Permission.MANAGE_STAFF)
def enable_staff(username: str) -> ResponseReturnValue:
    _user(username)
    try:
        user = services().staff.enable(username, by=current_staff().username)
    except StaffProblem as exc:
        return _detail(_user(username), 422, exc.problems)
    audit_staff("staff.enabled", target=username)
    if user.active:
        return _back(user, f"{username} is enabled: they can sign in again.")
    return _back(user, f"{username} is enabled but not set up yet: reset to send a new link.")


@bp.route("/staff/<username>/reset", methods=["GET", "POST"])
@requires(Permission.MANAGE_STAFF)
def reset_staff(username: str) -> ResponseReturnValue:
    user = _user(username)
    if user.username == current_staff().username:
        return _refused(user, "staff.reset", [SELF["reset"]])
    if request.method == "GET":
        return page("admin/staff_confirm.html", user=user, action="reset")
    admin = current_staff().username
    token = services().staff.reset(username, by=admin)
    services().tokens.revoke_all(username, admin, channel=CHANNEL)  # each one audited
    audit_staff("staff.reset", target=username)
    return _link(_user(username), token, "reset")


@bp.post("/staff/<username>/unlock")
@requires(Permission.MANAGE_STAFF)
def unlock_staff(username: str) -> ResponseReturnValue:
    user = _user(username)
    services().staff.unlock(username)
    audit_staff("staff.unlocked", target=username)
    return _back(user, f"{username}'s sign-in lockout is lifted.")


@bp.post("/staff/<username>/tokens/<token_id>/revoke")
@requires(Permission.MANAGE_STAFF)
def revoke_staff_token(username: str, token_id: str) -> ResponseReturnValue:
    user = _user(username)
    found = services().tokens.get(token_id)
    if found is None or found.owner != user.username:
        raise NotFound()
    try:
        token = services().tokens.revoke(token_id, current_staff(), channel=CHANNEL)
    except TokenNotFound as exc:
        raise NotFound() from exc
    return _back(user, f"{username}'s token “{token.name}” ({token.token_id}) is revoked.")
