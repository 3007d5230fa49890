"""The audit's event types, for the event filter: the ones Teller writes (known) and the ones
found in the stream (present), grouped by family (the part before the first dot).

A family is filtered by its prefix (``money.`` matches ``money.transfer`` and ``money.bill``);
events written before families existed (``login``, ``block``) have none and are listed under
"Customer sign-in and security". The known list is what a filter offers even before the event
has happened once; an event not in it still shows up once it is in the stream.
"""

from __future__ import annotations

from collections.abc import Iterable

# Families: prefix → what staff call it.
FAMILIES: dict[str, str] = {
    "money.": "Money movements",
    "card.": "Card changes",
    "stepup.": "Step-ups",
    "customer.": "Staff actions on customers",
    "staff.": "Staff sign-ins and accounts",
    "change.": "Four-eyes changes",
    "mfa.": "MFA scenarios and configuration",
    "kyc.": "KYC levels and the cooling-off",
    "audit.": "The audit log itself",
}
UNGROUPED = "Customer sign-in and security"

# Every event type Teller appends (grep for ``audit.record`` / ``audit.queue``); keep in step.
KNOWN: frozenset[str] = frozenset(
    {
        # customers on the secure pages and the chat
        "link_issued",
        "code_sent",
        "registration_details",
        "registration",
        "login",
        "pin_change",
        "login_id_change",
        "daily_limit_change",
        "name_lookup",
        "logout",
        "logout_everywhere",
        "block",
        "unblock",
        # step-ups
        "stepup.decide",
        "stepup.start",
        "stepup.deliver",
        "stepup.verify",
        "stepup.cancel",
        # money movements and card changes
        "money.transfer",
        "money.bill",
        "money.p2p",
        "money.p2p_hold",
        "money.claim",
        "money.refund",
        "card.lock",
        "card.unlock",
        "card.activate",
        "card.replace",
        "card.cancel",
        "card.pin",
        # MFA configuration
        "mfa.config.update",
        "mfa.scenario.create",
        "mfa.scenario.update",
        "mfa.scenario.activate",
        "mfa.scenario.deactivate",
        "mfa.scenario.delete",
        # staff
        "staff.login",
        "staff.login_failed",
        "staff.logout",
        "staff.setup",
        "staff.created",
        "staff.reset",
        "staff.unlocked",
        "customer.view",
        "customer.block",
        "customer.unblock",
        "customer.kyc_level",
        "kyc.level_changed",
        "kyc.settings_changed",
        "change.proposed",
        "change.approved",
        "change.rejected",
        "change.superseded",
        "change.applied",
        "audit.export",
        "audit.verify",
    }
)


def family_of(event: str) -> str:
    """``money.transfer`` → ``money.``; an event without a dot has no family (``""``)."""
    head, dot, _ = event.partition(".")
    return f"{head}." if dot else ""


def family_label(prefix: str) -> str:
    return FAMILIES.get(prefix, f"{prefix.rstrip('.')} events")


Choice = tuple[str, str]  # (value, label)


def choices(present: Iterable[str], current: str = "") -> list[tuple[str, list[Choice]]]:
    """The event select's groups: every family first (filter by prefix), then each family's
    events, then the events without one. ``current`` is kept even if nothing else names it."""
    events = set(KNOWN) | {e for e in present if e}
    if current and not current.endswith("."):
        events.add(current)
    prefixes = {family_of(e) for e in events} - {""}
    if current.endswith("."):
        prefixes.add(current)
    order = [p for p in FAMILIES if p in prefixes] + sorted(prefixes - set(FAMILIES))
    groups: list[tuple[str, list[Choice]]] = [
        ("Families", [(p, f"{p}* — {family_label(p)}") for p in order])
    ]
    for prefix in order:
        members = sorted(e for e in events if family_of(e) == prefix)
        if members:
            groups.append((family_label(prefix), [(e, e) for e in members]))
    ungrouped = sorted(e for e in events if not family_of(e))
    if ungrouped:
        groups.append((UNGROUPED, [(e, e) for e in ungrouped]))
    return groups


def matches(wanted: str, event: str) -> bool:
    """Whether ``event`` is ``wanted``, or in the family ``wanted`` names (``money.``)."""
    if wanted.endswith("."):
        return event.startswith(wanted)
    return event == wanted
