"""The steps registration and wallet opening share on the page (``auth.registration``'s
credentials, questions and authenticator): one set of views, each journey naming its link's
purpose, its routes, its first step's page and what its last step does.

GET shows the step the link is at; each step posts to its own URL and, on success, redirects
back to the GET (so a reload never re-posts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from auth import registration as reg
from auth.attempts import Attempt
from auth.pages.common import gone, opened, page, refusal, service
from auth.questions import CHOOSE, QUESTIONS, question_text
from auth.stores.links import Link, Purpose
from messaging.masking import mask_phone

# The last step: (link, authenticator code or None to skip, address) → the attempt.
Finish = Callable[[Link, str | None], Attempt]
SHARED_TEMPLATES = {
    "credentials": "secure/register_credentials.html",
    "questions": "secure/register_questions.html",
    "authenticator": "secure/register_authenticator.html",
}


@dataclass(frozen=True)
class Journey:
    purpose: Purpose
    page: str  # the GET endpoint (``secure.register``)
    route: str  # the step posts' endpoint prefix (``secure.``, ``secure.onboard_``)
    details_template: str
    finished: Callable[[Link], ResponseReturnValue]  # the page after the last step
    details_values: Callable[[Link], Mapping[str, object]] = field(default=lambda link: {})
    # The journey's own steps between its first and registration's (onboarding's ``email``);
    # the step indicator shows them as part of the first.
    step_templates: Mapping[str, str] = field(default_factory=dict)


def show(journey: Journey, link: Link, status: int = 200, **values: object) -> ResponseReturnValue:
    current = reg.step(link)
    extra: dict[str, object] = {}
    if current == "details":
        extra = dict(journey.details_values(link))
    if current == "questions":
        extra = {"questions": {q: question_text(q) for q in QUESTIONS}, "choose": CHOOSE}
    if current == "authenticator":
        secret, uri, qr = reg.authenticator_setup(service(), link)
        extra = {"secret": secret, "uri": uri, "qr": qr}
    template = journey.step_templates.get(current) or SHARED_TEMPLATES.get(
        current, journey.details_template
    )
    return page(
        template,
        status,
        token=link.token,
        number=mask_phone(link.msisdn),
        steps=reg.STEPS,
        step=current if current in reg.STEPS else reg.STEPS[0],
        route=journey.route,
        **extra,
        **values,
    )


def back(journey: Journey, link: Link) -> ResponseReturnValue:
    return redirect(url_for(journey.page, token=link.token), code=303)


def opened_at(journey: Journey, token: str, step: str) -> Link:
    """The journey's link, only while it is at ``step`` (a later step's link is gone)."""
    return opened(token, journey.purpose, lambda link: reg.step(link) == step)


def credentials(journey: Journey, token: str) -> ResponseReturnValue:
    link = opened_at(journey, token, "credentials")
    login_id = request.form.get("login_id", "")[:40]
    attempt = reg.choose_credentials(
        service(),
        link,
        login_id,
        request.form.get("pin", "")[:40],
        request.form.get("repeat_pin", "")[:40],
    )
    if attempt.ok:
        return back(journey, link)
    return show(journey, link, 400, login_id=login_id, **refusal(attempt))


def questions(journey: Journey, token: str) -> ResponseReturnValue:
    link = opened_at(journey, token, "questions")
    chosen: dict[str, str] = {}
    for n in range(1, CHOOSE + 1):
        qid = request.form.get(f"question_{n}", "")
        if qid in chosen:
            qid = f"duplicate-{n}"  # reported as "choose 3 different questions"
        chosen[qid] = request.form.get(f"answer_{n}", "")[:100]
    attempt = reg.choose_questions(service(), link, chosen)
    if attempt.ok:
        return back(journey, link)
    return show(journey, link, 400, **refusal(attempt))


def authenticator(journey: Journey, token: str, finish: Finish) -> ResponseReturnValue:
    link = opened_at(journey, token, "authenticator")
    skip = request.form.get("action") == "skip"
    attempt = finish(link, None if skip else request.form.get("code", "")[:10])
    if attempt.ok:
        return journey.finished(link)
    if attempt.gone:
        return gone()
    if attempt.problems and reg.step(link) == "authenticator" and not _still_open(link):
        return page("secure/refused.html", 409, problems=list(attempt.problems))
    return show(journey, link, 400, **refusal(attempt))


def _still_open(link: Link) -> bool:
    """The link survived the attempt (a wrong authenticator code, not a refusal after use)."""
    return service().open_link(link.token, link.purpose) is not None
