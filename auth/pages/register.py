"""``/secure/register/<token>``: the four registration steps (see ``auth.registration``).

GET shows the step the link is at; each step posts to its own URL and, on success, redirects
back to the GET (so a reload never re-posts). Fetching the page never sends a code or uses the
link up: WhatsApp's link previews fetch URLs too.
"""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from auth import registration as reg
from auth.pages.common import blocked_page, finished, gone, opened, page, refusal, service
from auth.pages.protection import address, agent
from auth.questions import CHOOSE, QUESTIONS
from auth.stores.codes import SendRefused
from auth.stores.links import Link, Purpose
from messaging import MessengerError
from messaging.masking import mask_phone

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

TEMPLATES = {
    "details": "secure/register_details.html",
    "credentials": "secure/register_credentials.html",
    "questions": "secure/register_questions.html",
    "authenticator": "secure/register_authenticator.html",
}


def _show(link: Link, status: int = 200, **values: object) -> ResponseReturnValue:
    current = reg.step(link)
    extra: dict[str, object] = {}
    if current == "details":
        extra = {"months": MONTHS}
    if current == "questions":
        extra = {"questions": QUESTIONS, "choose": CHOOSE}
    if current == "authenticator":
        secret, uri, qr = reg.authenticator_setup(service(), link)
        extra = {"secret": secret, "uri": uri, "qr": qr}
    return page(
        TEMPLATES[current],
        status,
        token=link.token,
        number=mask_phone(link.msisdn),
        steps=reg.STEPS,
        step=current,
        **extra,
        **values,
    )


def _back(link: Link) -> ResponseReturnValue:
    return redirect(url_for("secure.register", token=link.token), code=303)


def _opened_at(token: str, step: str) -> Link:
    """The registration link, only while it is at ``step`` (a later step's link is gone)."""
    return opened(token, Purpose.REGISTER, lambda link: reg.step(link) == step)


def register(token: str) -> ResponseReturnValue:
    link = opened(token, Purpose.REGISTER)
    return _show(link, sent=request.args.get("sent") == "1")


def send_code(token: str) -> ResponseReturnValue:
    link = _opened_at(token, "details")
    try:
        reg.send_code(service(), link)
    except SendRefused as exc:
        if exc.retry_after_s == 0:
            return _show(link, 429, problems=["You've had 3 codes already. Use the last one."])
        return _show(
            link, 429, problems=[f"Please wait {exc.retry_after_s} seconds for another code."]
        )
    except MessengerError:  # logged and taken back by reg.send_code: nothing was sent
        return _show(link, problems=["We couldn't send the code. Please try again in a minute."])
    return redirect(url_for("secure.register", token=token, sent="1"), code=303)


def details(token: str) -> ResponseReturnValue:
    link = _opened_at(token, "details")
    attempt = reg.verify_details(
        service(),
        link,
        _dob_typed(),
        request.form.get("nin_last4", "")[:10],
        request.form.get("code", "")[:10],
        address(),
    )
    if attempt.ok:
        return _back(link)
    if attempt.blocked_until is not None:
        return blocked_page(link.msisdn, attempt.blocked_until)
    return _show(link, 401 if attempt.remaining else 400, **refusal(attempt))


def _dob_typed() -> str:
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
    link = _opened_at(token, "credentials")
    login_id = request.form.get("login_id", "")[:40]
    attempt = reg.choose_credentials(
        service(),
        link,
        login_id,
        request.form.get("pin", "")[:40],
        request.form.get("repeat_pin", "")[:40],
    )
    if attempt.ok:
        return _back(link)
    return _show(link, 400, login_id=login_id, **refusal(attempt))


def questions(token: str) -> ResponseReturnValue:
    link = _opened_at(token, "questions")
    chosen: dict[str, str] = {}
    for n in range(1, CHOOSE + 1):
        qid = request.form.get(f"question_{n}", "")
        if qid in chosen:
            qid = f"duplicate-{n}"  # reported as "choose 3 different questions"
        chosen[qid] = request.form.get(f"answer_{n}", "")[:100]
    attempt = reg.choose_questions(service(), link, chosen)
    if attempt.ok:
        return _back(link)
    return _show(link, 400, **refusal(attempt))


def authenticator(token: str) -> ResponseReturnValue:
    link = _opened_at(token, "authenticator")
    skip = request.form.get("action") == "skip"
    code = None if skip else request.form.get("code", "")[:10]
    attempt = reg.finish(service(), link, code, address(), agent())
    if attempt.ok:
        return finished(link, "registered")
    if attempt.gone:
        return gone()
    return _show(link, 400, **refusal(attempt))
