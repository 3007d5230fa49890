"""The WhatsApp templates of Teller's proactive notices, as data for the Content API.

Outside the 24-hour window a notice goes as its approved template (``bot.outbound``). Each
definition below is the body of the Content API's ``POST /v1/Content`` (``friendly_name``,
``language``, ``variables`` with sample values, ``types`` with a ``twilio/text`` body) plus the
WhatsApp approval category (``UTILITY``: each tells of the customer's own account or request).
The bodies are not written here: they are the notices of ``messaging.notices`` with each field
made a numbered variable, so a template can't drift from the free-form text and the SMS, and
``messaging.notices.template_variables`` fills them from the same values.

There is one template per notice and language: English's, and one for each catalog language
that translates the notice (its body generated the same way from that language's text, its
``language`` that code), named ``teller_<notice>_<language>``. A notice a language lacks has no
template in it: outside the window that customer gets English's (``bot.outbound``).

They join the registry that ``flask --app app whatsapp sync-content`` creates and submits
(``bot.content.definitions.registry()``); the SIDs and approval states it learns live in the
Redis hash ``whatsapp:content`` (``bot.content.store``).
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from flows.responses import DOCUMENTS
from messaging.languages import SOURCE, catalogs, text
from messaging.local_format import money
from messaging.notices import (
    SAMPLE_REASON,
    WHATSAPP_NOTICES,
    field_order,
    template_body,
    translated,
)
from messaging.notices import fields as notice_fields

CATEGORY = "UTILITY"

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
    "reason": SAMPLE_REASON,
    "reference": "TX8F3K2",
    "what": "receipt",
}


# The samples that are amounts or a document's name, written as each language writes them (the
# amounts as the notices' callers format them: ``messaging.local_format.money``).
_AMOUNTS: dict[str, Decimal] = {
    "amount": Decimal("150.00"),
    "daily": Decimal("25000.00"),
    "monthly": Decimal("100000.00"),
    "per_transaction": Decimal("10000.00"),
}


def samples(language: str = SOURCE) -> dict[str, str]:
    """``SAMPLES`` as a notice in ``language`` would carry them."""
    if language == SOURCE:
        return dict(SAMPLES)
    local = {name: money(value, "USD", language) for name, value in _AMOUNTS.items()}
    local["what"] = text("document.receipt", DOCUMENTS["document.receipt"], language)
    local["reason"] = text("notice.sample_reason", SAMPLE_REASON, language)
    return {**SAMPLES, **local}


def friendly_name(key: str, language: str = SOURCE) -> str:
    """``teller_claim_refunded_sender_en``: the template's name, and its field in
    ``whatsapp:content``."""
    return f"teller_{key}_{language}"


def definition(key: str, language: str = SOURCE) -> dict[str, Any]:
    """One notice's template in ``language``: the Content API's create body plus
    ``category``."""
    shown = samples(language)
    order = field_order(key, language)
    return {
        "friendly_name": friendly_name(key, language),
        "language": language,
        "variables": {str(n): shown[name] for n, name in enumerate(order, start=1)},
        "types": {"twilio/text": {"body": template_body(key, language)}},
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


def languages(key: str) -> tuple[str, ...]:
    """The languages ``key`` has a template in: English, and each catalog that translates it."""
    return tuple(lang for lang in catalogs().languages if translated(key, lang))


@functools.cache
def templates() -> dict[str, dict[str, Any]]:
    """Every notice's templates by friendly name, in each of its languages (read from the
    catalogs when first needed, not at import)."""
    return {
        friendly_name(key, language): definition(key, language)
        for key in sorted(WHATSAPP_NOTICES)
        for language in languages(key)
    }
