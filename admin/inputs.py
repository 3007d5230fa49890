"""Reading the admin API's own inputs — the list filters, the dry-run question and an update's
``If-Match`` precondition — into typed values, or into problems (one message per problem, each
starting with its name).

Scenario and configuration bodies are not read here: ``auth.scenarios`` checks them as a whole.
A query string that can't be used is ``Malformed`` (400); a dry-run body that breaks a rule is
``Invalid`` (422), like any other body that breaks a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import MultiDict

from auth.scenarios.model import ACTIONS, Application, ChallengeType, Status
from auth.scenarios.validate import Invalid, choice, unknown_fields

FILTERS = ("application", "status", "q")
MAX_SEARCH = 100
DRY_RUN_FIELDS = ("application", "action", "amount", "enrolled")
# A plain decimal: no sign, exponent or separators, so "1e3" can't pass for 1000.
AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,2})?")
# The ETag of a version: strong, quoted ("v3"). Weak tags, lists and "*" are not a version read.
ETAG = re.compile(r'"v([0-9]{1,12})"')
IF_MATCH_RULE = 'If-Match: the ETag a GET returned, such as "v3" (one strong tag, not *)'


def etag(version: int) -> str:
    return f'"v{version}"'


class Malformed(Exception):
    """A request that can't be read; ``problems`` says what is wrong with each part."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class PreconditionMissing(Exception):
    """An update without ``If-Match``: it must say which version it was made from."""


def precondition(if_match: str | None, body: Mapping[str, Any] | None = None) -> int:
    """The version an update was made from, from ``If-Match``. ``PreconditionMissing`` without
    one, ``Malformed`` for one that names no version. A ``version`` in ``body`` (echoed from a
    GET) is taken out of it and must agree."""
    if if_match is None or not if_match.strip():
        raise PreconditionMissing()
    found = ETAG.fullmatch(if_match.strip())
    if found is None:
        raise Malformed([IF_MATCH_RULE])
    version = int(found.group(1))
    if body is not None and "version" in body and body["version"] != version:
        raise Malformed(
            ["version: differs from If-Match; send the one you read in both or only in If-Match"]
        )
    return version


def _one_of(name: str, value: str, allowed: list[str], problems: list[str]) -> str | None:
    if not value:  # "?status=" is a console's "all"
        return None
    if value not in allowed:
        problems.append(f"{name}: one of: {', '.join(allowed)} (or leave it out for all)")
        return None
    return value


def list_filters(args: MultiDict[str, str]) -> tuple[Application | None, Status | None, str]:
    """``?application=…&status=…&q=…`` (each optional) as typed filters, or ``Malformed``."""
    problems = [
        f"{name}: unknown query parameter; use {', '.join(FILTERS)}"
        for name in sorted(set(args) - set(FILTERS))
    ]
    problems += [f"{name}: give it once" for name in FILTERS if len(args.getlist(name)) > 1]
    application = _one_of(
        "application", args.get("application", ""), [a.value for a in Application], problems
    )
    status = _one_of("status", args.get("status", ""), [s.value for s in Status], problems)
    search = args.get("q", "")
    if len(search) > MAX_SEARCH:
        problems.append(f"q: at most {MAX_SEARCH} characters")
    if problems:
        raise Malformed(problems)
    return (
        Application(application) if application else None,
        Status(status) if status else None,
        search,
    )


def _amount(raw: Any, problems: list[str]) -> Decimal | None:
    if raw is None:
        return None  # no amount: a money movement is then treated as over any threshold
    if not isinstance(raw, str) or not AMOUNT.fullmatch(raw) or Decimal(raw) <= 0:
        problems.append(
            'amount: a decimal string more than 0 with at most 2 decimals, such as "150.00"'
        )
        return None
    return Decimal(raw)


def _enrolled(raw: Any, problems: list[str]) -> frozenset[ChallengeType]:
    if raw is None:
        return frozenset(ChallengeType)
    allowed = {t.value for t in ChallengeType}
    if not isinstance(raw, list) or any(not isinstance(t, str) or t not in allowed for t in raw):
        problems.append(f"enrolled: a list from: {', '.join(t.value for t in ChallengeType)}")
        return frozenset()
    return frozenset(ChallengeType(t) for t in raw)


def dry_run_input(
    body: Mapping[str, Any],
) -> tuple[Application, str, Decimal | None, frozenset[ChallengeType]]:
    """The dry-run's question, or ``Invalid`` listing every problem."""
    problems = unknown_fields(body, DRY_RUN_FIELDS)
    application = choice(body, "application", Application, problems)
    action = body.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        problems.append("action: required, one of the catalogue's actions (e.g. BILL_PAY_CREATE)")
    amount = _amount(body.get("amount"), problems)
    enrolled = _enrolled(body.get("enrolled"), problems)
    if problems:
        raise Invalid(problems)
    assert application is not None and isinstance(action, str)  # guaranteed by no problems
    return application, action, amount, enrolled
