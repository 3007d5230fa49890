"""The security questions' texts: stored by id, written at display in the page's language from
the catalogs (``question.<id>``), English where there is no translation."""

from __future__ import annotations

from app.languages import sources
from auth.questions import KEYS, QUESTIONS, question_text, texts
from messaging.languages import speaking


def test_every_question_has_a_key_the_missing_keys_report_covers() -> None:
    pages = sources()["pages"]
    assert {pages[KEYS[qid]] for qid in QUESTIONS} == set(QUESTIONS.values())
    assert KEYS["q1"] == "question.q1"


def test_the_texts_follow_the_language_and_keep_the_ids_and_their_order() -> None:
    assert texts() == QUESTIONS  # English: the catalogue itself
    french, arabic = texts("fr"), texts("ar")
    assert list(french) == list(arabic) == list(QUESTIONS)
    assert french["q1"] == "Quel était le nom de votre première école ?"
    assert arabic["q1"] == "ما اسم أول مدرسة التحقت بها؟"
    assert all(french[q] != QUESTIONS[q] and arabic[q] != QUESTIONS[q] for q in QUESTIONS)


def test_the_current_language_is_the_default() -> None:
    with speaking("ar"):
        assert question_text("q9") == "ما لقبك في الطفولة؟"
    assert question_text("q9") == QUESTIONS["q9"]


def test_a_language_without_a_catalog_is_english() -> None:
    assert question_text("q2", "sw") == QUESTIONS["q2"]
    assert texts("de") == QUESTIONS
