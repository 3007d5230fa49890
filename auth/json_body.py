"""The one way Teller's JSON APIs (the token API, the admin API) read a request's body.

``request.get_json(silent=True)`` answers None for a body that isn't JSON, but a body nested
deeper than the parser's recursion limit (5,000 ``[`` fit in the size limit) raises
``RecursionError``, which would be a 500. Here every unreadable body is None, so each API
answers it with its own 400.
"""

from __future__ import annotations

from typing import Any

from flask import request


def json_body() -> Any:
    """The parsed JSON body, or None: no JSON, malformed, or nested too deeply to parse."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None
