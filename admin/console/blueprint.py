"""The console's blueprint, alone so each screen's module can add its routes to it
(``@bp.get("/scenarios")``) and ``admin.console`` only has to import the module."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/admin")
