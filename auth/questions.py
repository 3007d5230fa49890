"""Security questions: the catalogue customers choose 3 of (each under ``question.<id>`` in the
translation catalogs), and how answers are normalised.

Answers are compared after NFKC, case-folding and collapsing spaces and punctuation, so
"St. Mary's" and "st marys" match; they are stored only as peppered argon2id hashes.
"""

from __future__ import annotations

import re
import unicodedata

from auth.page_texts import say
from messaging.languages import text

QUESTIONS: dict[str, str] = {
    "q1": "What was the name of your first school?",
    "q2": "In which town was your mother born?",
    "q3": "What was the name of your first pet?",
    "q4": "What is the middle name of your oldest sibling?",
    "q5": "What was the make of your first car or bicycle?",
    "q6": "What street did you live on as a child?",
    "q7": "What is the name of your favourite teacher?",
    "q8": "In which town did your parents meet?",
    "q9": "What was your childhood nickname?",
    "q10": "What was the first concert or film you saw in a cinema?",
}
CHOOSE = 3
MIN_ANSWER, MAX_ANSWER = 2, 60
_NOISE = re.compile(r"[\W_]+")
# Apostrophes join what they sit in ("Mary's" → "marys"), so they are dropped, not spaced.
_APOSTROPHES = re.compile("['\u2019\u02bc`]")


def question_text(qid: str) -> str:
    """The question in the current language (its English without a current translation)."""
    return text(f"question.{qid}", QUESTIONS[qid])


def normalise(answer: str) -> str:
    folded = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", answer).casefold())
    return " ".join(_NOISE.sub(" ", folded).split())


def answer_problems(chosen: dict[str, str]) -> list[str]:
    """Why a set of chosen questions and answers is refused (empty when fine)."""
    problems: list[str] = []
    if len(chosen) != CHOOSE or any(q not in QUESTIONS for q in chosen):
        problems.append(say("problem.questions.choose", choose=CHOOSE))
    answers = [normalise(a) for a in chosen.values()]
    if any(not MIN_ANSWER <= len(a) <= MAX_ANSWER for a in answers):
        problems.append(say("problem.questions.length", min=MIN_ANSWER, max=MAX_ANSWER))
    elif len(set(answers)) != len(answers):
        problems.append(say("problem.questions.same"))
    return problems
