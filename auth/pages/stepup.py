"""``/secure/stepup/<token>``: a step-up challenge of the security-questions type, answered on a
one-time page (never in the chat). Two of the customer's three questions, chosen when the
challenge started; both right passes it and the chat carries on with the request. A wrong pair
is one wrong try, counted toward the challenge and the customer's code lockout, and the page
never says which answer was wrong.
"""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from auth.page_texts import say
from auth.pages.common import blocked_page, finished, gone, opened, page, service, stepups
from auth.ports import Verdict
from auth.questions import QUESTIONS, question_text
from auth.stepup.challenges import Challenge
from auth.stores.links import Link, Purpose

MAX_ANSWER_CHARS = 200


def stepup(token: str) -> ResponseReturnValue:
    pending: list[Challenge] = []

    def still_pending(link: Link) -> bool:  # cancelled, expired or replaced in the chat: gone
        challenge = stepups().questions_for(link.msisdn)
        pending.extend([challenge] if challenge is not None else [])
        return challenge is not None

    link = opened(token, Purpose.STEP_UP, still_pending)
    [challenge] = pending
    asked = [(qid, question_text(qid)) for qid in challenge.questions if qid in QUESTIONS]
    if request.method == "GET":
        return page("secure/stepup_questions.html", token=token, asked=asked)
    answers = {qid: request.form.get(qid, "")[:MAX_ANSWER_CHARS] for qid, _ in asked}
    if any(not answer.strip() for answer in answers.values()):
        problems = [say("problem.stepup.both")]  # not a try: nothing was checked
        return page(
            "secure/stepup_questions.html", 400, token=token, asked=asked, problems=problems
        )
    result = stepups().answer_questions(link.msisdn, link.customer_id, challenge, answers)
    if result.verdict is Verdict.PASSED:
        service().links.consume(link)
        return finished(link, "stepup_passed")
    if result.verdict is Verdict.BLOCKED:
        service().links.consume(link)
        return blocked_page(link.msisdn, result.until)
    if result.verdict is not Verdict.WRONG:  # exhausted or gone: this page is done
        service().links.consume(link)
        return gone()
    return page(
        "secure/stepup_questions.html",
        401,
        token=token,
        asked=asked,
        remaining=result.remaining,
    )
