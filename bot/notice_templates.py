"""The WhatsApp templates of Teller's proactive notices, as data for the Content API.

Outside the 24-hour window a notice goes as its approved template (``bot.outbound``). Each
definition below is the body of the Content API's ``POST /v1/Content`` (``friendly_name``,
``language``, ``variables`` with sample values, ``types`` with a ``twilio/text`` body) plus the
WhatsApp approval category (``UTILITY``: each tells of the customer's own account or request).
The bodies are not written here: they are the notices of ``messaging.notices`` with each field
made a numbered variable, so a template can't drift from the free-form text and the SMS, and
``messaging.notices.template_variables`` fills them from the same values.

They join the registry that ``flask --app app whatsapp sync-content`` creates and submits
(``bot.content.definitions.ALL``); the SIDs and approval states it learns live in the Redis hash
``whatsapp:content`` (``bot.content.store``).
"""

from __future__ import annotations

from typing import Any

from messaging.notices import WHATSAPP_NOTICES, field_order, template_body
from messaging.notices import fields as notice_fields

CATEGORY = "UTILITY"
LANGUAGES = ("en",)  # a language with a catalog of notices gets its templates here too

# A sample for every field a WhatsApp notice uses: WhatsApp's reviewers read the template with
# them (and require them for variables next to each other or at an edge).
SAMPLES: dict[str, str] = {
    "account": "••6789",
    "amount": "USD 150.00",
    "bank": "Demo Bank",
    "daily": "USD 25,000.00",
    "level": "3",
    "monthly": "USD 100,000.00",
    "number": "+234•••••0001",
    "per_transaction": "USD 10,000.00",
    "reason": "the proof of address is older than 3 months",
    "reference": "TX8F3K2",
    "what": "receipt",
}


def friendly_name(key: str, language: str = "en") -> str:
    """``teller_claim_refunded_sender_en``: the template's name, and its field in
    ``whatsapp:content``."""
    return f"teller_{key}_{language}"


def definition(key: str, language: str = "en") -> dict[str, Any]:
    """One notice's template: the Content API's create body plus ``category``."""
    return {
        "friendly_name": friendly_name(key, language),
        "language": language,
        "variables": {str(n): SAMPLES[name] for n, name in enumerate(field_order(key), start=1)},
        "types": {"twilio/text": {"body": template_body(key)}},
        "category": CATEGORY,
    }


def create_request(template: dict[str, Any]) -> dict[str, Any]:
    """What ``POST /v1/Content`` takes (the definition without its category)."""
    return {k: v for k, v in template.items() if k != "category"}


def approval_request(template: dict[str, Any]) -> dict[str, str]:
    """What ``POST /v1/Content/{sid}/ApprovalRequests/whatsapp`` takes."""
    return {"name": template["friendly_name"], "category": template["category"]}


def missing_samples() -> set[str]:
    """Fields of WhatsApp notices with no sample (a test keeps this empty)."""
    return {name for key in WHATSAPP_NOTICES for name in notice_fields(key)} - set(SAMPLES)


TEMPLATES: dict[str, dict[str, Any]] = {
    friendly_name(key, language): definition(key, language)
    for key in sorted(WHATSAPP_NOTICES)
    for language in LANGUAGES
}
