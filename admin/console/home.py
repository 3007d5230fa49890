"""The console's first page after signing in: who you are, what your role may do, and the
way to each screen it can use."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from admin.console.guard import current_staff, requires
from admin.console.render import page
from admin.staff.roles import describe


@requires(None)
def home() -> ResponseReturnValue:
    user = current_staff()
    return page("admin/home.html", role_text=describe(user.role))
