"""Logging in and changing the PIN on the secure pages.

Both fail closed and count every wrong answer toward the PIN lockout; a blocked customer is
refused even with the right PIN; the argon2 check runs whether or not the ID matched, so the
answer's timing doesn't tell a wrong ID from a wrong PIN.
"""

from __future__ import annotations

import hmac

from auth.attempts import Attempt
from auth.page_texts import say
from auth.pins import pin_problems
from auth.service import AuthService
from auth.stores.credentials import AccountStatus, fold
from auth.stores.links import Link
from auth.stores.lockout import Kind


def _refused_status(service: AuthService, link: Link) -> Attempt | None:
    until = service.blocked_until(link.msisdn)
    if until is not None:
        return Attempt.blocked(until)
    creds = service.credentials.get(link.msisdn)
    if creds is not None and creds.status is not AccountStatus.REGISTERED:
        # Blocked by staff or a lost phone: the page says how to get help, not until when.
        return Attempt.blocked(creds.status_until or service.clock())
    return None


def check_login(
    service: AuthService, link: Link, login_id: str, pin: str, address: str
) -> Attempt | None:
    """None when ``login_id`` and ``pin`` are the link's customer's and nothing blocks them;
    else the refusal (a wrong pair is struck against the PIN lockout). Uses nothing up: the
    caller consumes the link, so of racing posts only one goes on."""
    refused = _refused_status(service, link)
    if refused is not None:
        return refused
    if not login_id.strip() or not pin:
        return Attempt.invalid(say("problem.login.missing"))
    creds = service.credentials.get(link.msisdn)
    id_ok = creds is not None and hmac.compare_digest(
        fold(login_id.strip()).encode(), fold(creds.login_id).encode()
    )
    pin_ok, stale = service.hasher.check(creds.pin_hash if creds else None, "pin", pin)
    if not (id_ok and pin_ok):
        return Attempt.struck(service.fail(link, Kind.PIN, "login", address))
    if stale:  # made with the pepper being rotated out: the PIN is in hand only now
        service.credentials.set_pin_hash(link.msisdn, service.hasher.hash("pin", pin))
    return None


def login(
    service: AuthService, link: Link, login_id: str, pin: str, address: str, agent: str
) -> Attempt:
    """Check the chat-banking ID and PIN for the link's customer; on success start a session."""
    refused = check_login(service, link, login_id, pin, address)
    if refused is not None:
        return refused
    if not service.links.consume(link):
        return Attempt.link_gone()
    service.start_session(link, address, agent, "login")
    return Attempt.done()


def change_pin(
    service: AuthService,
    link: Link,
    current: str,
    new: str,
    repeat: str,
    address: str,
) -> Attempt:
    """Replace the PIN after checking the current one; the customer is told by SMS."""
    refused = _refused_status(service, link)
    if refused is not None:
        return refused
    creds = service.credentials.get(link.msisdn)
    if creds is None:
        return Attempt.link_gone()
    problems = list(
        pin_problems(
            new, msisdn=link.msisdn, is_dob_pin=service.hasher.is_dob_pin(new, creds.dob_marks)
        )
    )
    if new != repeat:
        problems.append(say("problem.pin_change.mismatch"))
    if not current:
        problems.insert(0, say("problem.pin_change.current"))
    if problems:
        return Attempt.invalid(*problems)
    if not service.hasher.verify(creds.pin_hash, "pin", current):
        return Attempt.struck(service.fail(link, Kind.PIN, "pin_change", address))
    if hmac.compare_digest(current.encode(), new.encode()):
        return Attempt.invalid(say("problem.pin_change.same"))
    if not service.links.consume(link):
        return Attempt.link_gone()
    service.credentials.set_pin_hash(link.msisdn, service.hasher.hash("pin", new))
    service.lockouts.success(link.msisdn, Kind.PIN)
    service.audit_link(link, "pin_change", "success", address=address)
    service.notify(link.msisdn, "pin_changed")
    return Attempt.done()
