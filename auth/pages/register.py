"""``/secure/register/<token>``: the four registration steps (see ``auth.registration``); the
last three are the views wallet opening shares (``auth.pages.journey``).

GET shows the step the link is at; each step posts to its own URL and, on success, redirects
back to the GET (so a reload never re-posts). Fetching the page never sends a code or uses the
link up: WhatsApp's link previews fetch URLs too.
"""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from auth import registration as reg
from auth.attempts import Attempt
from auth.page_texts import code_refused, say
from auth.pages import journey, languages
from auth.pages.common import blocked_page, finished, opened, refusal, service
from auth.pages.journey import Journey
from auth.pages.protection import address, agent
from auth.stores.codes import SendRefused
from auth.stores.links import Link, Purpose
from messaging import MessengerError

DOB_PARTS = ("day", "month", "year")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # named, so 04/12 can't be read two ways


def _details_values(link: Link) -> dict[str, object]:
    return {"months": languages.month_names(MONTHS)}


def _registered(link: Link) -> ResponseReturnValue:
    return finished(link, "registered")


REGISTRATION = Journey(
    purpose=Purpose.REGISTER,
    page="secure.register",
    route="secure.",
    details_template="secure/register_details.html",
    finished=_registered,
    details_values=_details_values,
)


def _show(link: Link, status: int = 200, **values: object) -> ResponseReturnValue:
    return journey.show(REGISTRATION, link, status, **values)


def _back(link: Link) -> ResponseReturnValue:
    return journey.back(REGISTRATION, link)


def _opened_at(token: str, step: str) -> Link:
    return journey.opened_at(REGISTRATION, token, step)


def register(token: str) -> ResponseReturnValue:
    link = opened(token, Purpose.REGISTER)
    return _show(link, sent=request.args.get("sent") == "1")


def send_code(token: str) -> ResponseReturnValue:
    link = _opened_at(token, "details")
    try:
        reg.send_code(service(), link)
    except SendRefused as exc:
        return _show(link, 429, problems=[code_refused(exc.retry_after_s)])
    except MessengerError:  # logged and taken back by reg.send_code: nothing was sent
        return _show(link, problems=[say("problem.code.not_sent")])
    return redirect(url_for("secure.register", token=token, sent="1"), code=303)


def details(token: str) -> ResponseReturnValue:
    link = _opened_at(token, "details")
    attempt = reg.verify_details(
        service(),
        link,
        dob_typed(),
        request.form.get("nin_last4", "")[:10],
        request.form.get("code", "")[:10],
        address(),
    )
    if attempt.ok:
        return _back(link)
    if attempt.blocked_until is not None:
        return blocked_page(link.msisdn, attempt.blocked_until)
    return _show(link, 401 if attempt.remaining else 400, **refusal(attempt))


def dob_typed() -> str:
    """The date of birth as ISO text from the page's day, month (its number: the select shows
    the name) and year fields — the bank's order, whatever the browser's locale. A client that
    posts one ``dob`` field (ISO) still works. Malformed parts give text that never parses, so
    the customer is asked again (not a strike)."""
    form = request.form
    day, month, year = (form.get(f"dob_{part}", "").strip()[:4] for part in DOB_PARTS)
    if not (day or month or year):
        return form.get("dob", "")[:20]
    if not all(p.isascii() and p.isdigit() for p in (day, month, year)) or len(year) != 4:
        return "invalid"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def credentials(token: str) -> ResponseReturnValue:
    return journey.credentials(REGISTRATION, token)


def questions(token: str) -> ResponseReturnValue:
    return journey.questions(REGISTRATION, token)


def authenticator(token: str) -> ResponseReturnValue:
    def finish(link: Link, code: str | None) -> Attempt:
        return reg.finish(service(), link, code, address(), agent())

    return journey.authenticator(REGISTRATION, token, finish)
