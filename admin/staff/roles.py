"""Staff roles and what each may do: the one table every console page and API route checks.

Four roles, after the helpdesk scoping of consoles banks know (privacyIDEA, Keycloak):
``viewer`` reads the configuration; ``operator`` looks after customers (and proposes their KYC
level); ``admin`` changes scenarios, the MFA configuration, KYC levels and staff, and approves
pending changes; ``auditor`` reads the audit log. A check fails closed: a role not in the
table can do nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"
    AUDITOR = "auditor"


class Permission(StrEnum):
    READ_CONFIG = "read_config"  # scenarios, templates, MFA configuration, KYC levels, dry-run
    EDIT_CONFIG = "edit_config"  # propose or make changes to those
    APPROVE = "approve"  # approve or reject another staff member's pending change
    READ_CUSTOMERS = "read_customers"  # search customers, open a customer page (audited)
    ACT_ON_CUSTOMERS = "act_on_customers"  # block, unblock, lift lockouts, reset, end sessions
    PROPOSE_KYC = "propose_kyc"  # propose a customer's KYC level (four eyes)
    REVIEW_KYC = "review_kyc"  # a customer's KYC documents: see them, approve or reject
    READ_AUDIT = "read_audit"  # the audit log and its export
    MANAGE_STAFF = "manage_staff"  # create staff users, change roles, disable


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ_CONFIG}),
    Role.OPERATOR: frozenset(
        {
            Permission.READ_CONFIG,
            Permission.READ_CUSTOMERS,
            Permission.ACT_ON_CUSTOMERS,
            Permission.PROPOSE_KYC,
            Permission.REVIEW_KYC,
        }
    ),
    Role.ADMIN: frozenset(Permission),
    Role.AUDITOR: frozenset({Permission.READ_CONFIG, Permission.READ_AUDIT}),
}


def can(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission``; an unknown role grants nothing (fails closed)."""
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False


def describe(role: Role) -> str:
    """What this role is for, to follow "you can": one line for the console and the CLI."""
    return {
        Role.VIEWER: "read scenarios, templates, the MFA configuration and KYC levels",
        Role.OPERATOR: "look after customers: search, block, unblock, lockouts, KYC reviews",
        Role.ADMIN: "change scenarios, MFA configuration, KYC levels and staff; approve changes",
        Role.AUDITOR: "read and export the audit log",
    }[role]
