"""Normalising what the customer typed, and the global words that work in every state.

``menu``/``hi``/``hello``, ``help``, ``cancel`` and ``logout`` are recognised case-insensitively
anywhere, before the current state's handler sees the text.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class GlobalWord(StrEnum):
    MENU = "menu"
    HELP = "help"
    CANCEL = "cancel"
    LOGOUT = "logout"


_GLOBALS: dict[str, GlobalWord] = {
    "menu": GlobalWord.MENU,
    "hi": GlobalWord.MENU,
    "hello": GlobalWord.MENU,
    "hey": GlobalWord.MENU,
    "start": GlobalWord.MENU,
    "main menu": GlobalWord.MENU,
    "help": GlobalWord.HELP,
    "cancel": GlobalWord.CANCEL,
    "stop": GlobalWord.CANCEL,
    "logout": GlobalWord.LOGOUT,
    "log out": GlobalWord.LOGOUT,
}
_TRAILING = re.compile(r"[\s.!?,;:)\]*_~]+$")
_LEADING = re.compile(r"^[\s*_~(\[]+")
_SPACES = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")  # a decimal digit in any script (str patterns are Unicode)


def normalize(text: str) -> str:
    """Case-fold, NFKC (full-width digits become ASCII), other scripts' digits as ASCII
    (Arabic-Indic ``٤`` is ``4``), collapse spaces, trim punctuation.

    ``" Menu! "`` → ``"menu"``, ``"1."`` → ``"1"``, ``"*2*"`` → ``"2"``.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = _DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), folded)
    folded = _SPACES.sub(" ", folded)
    return _LEADING.sub("", _TRAILING.sub("", folded))


def global_word(normalized: str) -> GlobalWord | None:
    return _GLOBALS.get(normalized)
