"""``/secure/onboard/<token>``: opening a wallet (see ``auth.onboarding``). The first step is
its own (who you are, the terms, the SMS code), then the email code when the MFA scenario asks
for one (``email``); the rest are registration's views
(``auth.pages.journey``). ``/secure/terms`` is the bank's terms page, with its version. Every
step speaks the language of the link's number (``auth.pages.common.open_link`` chooses it), its
problems too (``auth.onboarding_texts``); the terms, reached without a link, take the language
of the page that links to them.
"""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from auth.attempts import Attempt
from auth.onboarding import TERMS_VERSION, Applicant, Onboarding
from auth.onboarding_texts import say
from auth.page_texts import code_refused
from auth.pages import journey, languages
from auth.pages.common import blocked_page, opened, page, refusal, service
from auth.pages.journey import Journey
from auth.pages.protection import address, agent
from auth.pages.register import MONTHS, dob_typed
from auth.registration import step as reg_step
from auth.stores.codes import SendRefused
from auth.stores.links import Link, Purpose
from auth.wiring import services
from messaging import MessengerError
from messaging.languages import catalogs
from messaging.masking import mask_email, mask_phone


def onboarding() -> Onboarding:
    return services().onboarding


def _details_values(link: Link) -> dict[str, object]:
    return {
        "months": languages.month_names(MONTHS),
        "terms_version": TERMS_VERSION,
        "terms_language": languages.selected(),  # the terms open in the page's language
    }


def _opened(link: Link) -> ResponseReturnValue:
    """The wallet is open and the customer logged in: the chat says what they can do now."""
    try:
        told = services().welcome(link.msisdn)
    except Exception:  # the wallet is open either way; "menu" in the chat shows it
        told = False
    return page("secure/onboard_done.html", told=told, number=mask_phone(link.msisdn))


ONBOARDING = Journey(
    purpose=Purpose.ONBOARD,
    page="secure.onboard",
    route="secure.onboard_",
    details_template="secure/onboard_details.html",
    finished=_opened,
    details_values=_details_values,
    step_templates={"email": "secure/onboard_email.html"},
)


def _email(link: Link) -> str:
    return mask_email(onboarding().email(link)) if reg_step(link) == "email" else ""


def onboard(token: str) -> ResponseReturnValue:
    link = opened(token, Purpose.ONBOARD)
    sent = request.args.get("sent") == "1"
    return journey.show(ONBOARDING, link, sent=sent, email=_email(link))


def send_email_code(token: str) -> ResponseReturnValue:
    """Another email code (the MFA scenario asked for one): the SMS code's limits."""
    link = journey.opened_at(ONBOARDING, token, "email")
    try:
        onboarding().resend_email_code(link)
    except SendRefused as exc:
        return journey.show(
            ONBOARDING, link, 429, email=_email(link), problems=[code_refused(exc.retry_after_s)]
        )
    except MessengerError:
        problem = say("onboarding.send.email_failed")
        return journey.show(ONBOARDING, link, email=_email(link), problems=[problem])
    return redirect(url_for("secure.onboard", token=token, sent="1"), code=303)


def email_code(token: str) -> ResponseReturnValue:
    link = journey.opened_at(ONBOARDING, token, "email")
    attempt = onboarding().verify_email(link, request.form.get("code", "")[:10], address())
    if attempt.ok:
        return journey.back(ONBOARDING, link)
    if attempt.blocked_until is not None:
        return blocked_page(link.msisdn, attempt.blocked_until)
    status = 401 if attempt.remaining is not None else 400
    return journey.show(ONBOARDING, link, status, email=_email(link), **refusal(attempt))


def send_code(token: str) -> ResponseReturnValue:
    link = journey.opened_at(ONBOARDING, token, "details")
    try:
        onboarding().send_code(link)
    except SendRefused as exc:
        return journey.show(ONBOARDING, link, 429, problems=[code_refused(exc.retry_after_s)])
    except MessengerError:
        problem = say("problem.code.not_sent")
        return journey.show(ONBOARDING, link, problems=[problem])
    return redirect(url_for("secure.onboard", token=token, sent="1"), code=303)


def details(token: str) -> ResponseReturnValue:
    link = journey.opened_at(ONBOARDING, token, "details")
    form = request.form
    typed = Applicant(
        name=form.get("name", "")[:120],
        dob_text=dob_typed(),
        national_id=form.get("national_id", "")[:20],
        email=form.get("email", "")[:254],
        code=form.get("code", "")[:10],
        terms=form.get("terms") == TERMS_VERSION,
    )
    attempt = onboarding().verify_details(link, typed, address())
    if attempt.ok:
        return journey.back(ONBOARDING, link)
    if attempt.blocked_until is not None:
        return blocked_page(link.msisdn, attempt.blocked_until)
    kept = {"name": typed.name, "email": typed.email, "national_id": typed.national_id}
    status = 401 if attempt.remaining is not None else 400
    return journey.show(ONBOARDING, link, status, typed=kept, **refusal(attempt))


def credentials(token: str) -> ResponseReturnValue:
    return journey.credentials(ONBOARDING, token)


def questions(token: str) -> ResponseReturnValue:
    return journey.questions(ONBOARDING, token)


def authenticator(token: str) -> ResponseReturnValue:
    def finish(link: Link, code: str | None) -> Attempt:
        return onboarding().finish(link, code, address(), agent())

    return journey.authenticator(ONBOARDING, token, finish)


def terms() -> ResponseReturnValue:
    """The terms, in the language the wallet-opening page that links here speaks (``lang``:
    a language Teller has a catalog for; anything else is English). It asks nothing secret,
    so the language is only a preference carried in the link."""
    wanted = request.args.get("lang", "")[:16]
    if wanted in catalogs().languages:
        languages.choose(wanted)
    return page("secure/terms.html", version=TERMS_VERSION, bank=service().bank_name)
