"""SMS and email message templates for code challenges: the six variables, the checks staff see,
and rendering that always masks the account number.

The syntax is deliberately smaller than ``str.format``: ``{name}`` for one of the six variables,
``{{`` and ``}}`` for literal braces, nothing else. ``str.format`` on a staff-written template
would allow attribute lookups (``{otp.__class__}``) and format specs; here anything unknown is
refused when saved and can never be evaluated when rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from messaging.masking import mask_account

VARIABLES = (
    "account_number",
    "otp",
    "payee_name",
    "server_date",
    "server_time",
    "transfer_amount",
)
MAX_LENGTH = {"sms_template": 320, "email_template": 2000}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def variables_in(template: str) -> list[str]:
    """The variable names a template uses, in order (unknown ones included)."""
    return [m.group(1) for m in _TOKEN.finditer(template) if m.group(1) is not None]


def template_problems(field: str, template: str) -> list[str]:
    """One message per problem in a template, each naming the field."""
    problems: list[str] = []
    if len(template) > MAX_LENGTH[field]:
        problems.append(f"{field}: at most {MAX_LENGTH[field]} characters")
    for match in _TOKEN.finditer(template):
        name = match.group(1)
        if name is None and match.group(0) in ("{", "}"):
            brace = match.group(0)
            problems.append(f"{field}: unmatched {brace!r} (write {{{{ or }}}} for a brace)")
        elif name is not None and name not in VARIABLES:
            problems.append(
                f"{field}: unknown variable {{{name}}}; use "
                + ", ".join(f"{{{v}}}" for v in VARIABLES)
            )
    return problems


@dataclass(frozen=True)
class MessageValues:
    """What a challenge message may say. ``account_number`` is given in full and always masked."""

    otp: str
    at: datetime  # the server's time, in the zone the bank's messages use
    account_number: str = ""
    payee_name: str = ""
    transfer_amount: str = ""  # already formatted with its currency, e.g. "USD 150.00"


def render(template: str, values: MessageValues) -> str:
    """The message text. Raises ValueError for a template that ``template_problems`` refuses."""
    fields = {
        "account_number": mask_account(values.account_number) if values.account_number else "",
        "otp": values.otp,
        "payee_name": values.payee_name,
        "server_date": values.at.strftime("%Y-%m-%d"),
        "server_time": values.at.strftime("%H:%M"),
        "transfer_amount": values.transfer_amount,
    }

    def substitute(match: re.Match[str]) -> str:
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            return token[0]
        if name is None or name not in fields:
            raise ValueError(f"template: {token!r} is not a known variable")
        return fields[name]

    return _TOKEN.sub(substitute, template)
