"""Fitting a label into a WhatsApp field: how long Twilio and WhatsApp count it, and where it
may be cut.

A button's title, a list item's title or description and a list's button have fixed limits
(``bot.content.definitions``). The texts that fill them are the catalogs' (French and Arabic
run longer than English) or the bank's data (a payee's name), so a label can be too long. It is
then cut and ends with ``…``, and the cut never falls inside a grapheme: not between a letter
and the marks written on it (Arabic harakat, a shadda, an accent typed as a combining mark),
not beside a zero-width joiner, not before a variation selector or an emoji's skin tone. Text
is cut after it is formatted, so no ``{placeholder}`` is ever split.

Length is counted in UTF-16 code units, as WhatsApp's clients and Twilio's JavaScript-side
checks count it: the same as characters for Latin and Arabic, two for an emoji, so a label
measured here is never longer there.
"""

from __future__ import annotations

import unicodedata

from bot.twiml import utf16_len

# WhatsApp's count, one rule for replies and labels (re-exported: callers measure with it).
length = utf16_len

ELLIPSIS = "…"
_JOINERS = frozenset({"\u200d", "\u034f"})  # zero-width joiner, combining grapheme joiner


def fit(text: str, limit: int) -> str:
    """``text`` whole if it fits in ``limit``, else cut at a grapheme boundary (trailing
    spaces dropped) and ended with ``…``, the whole within ``limit``."""
    if length(text) <= limit:
        return text
    room = limit - length(ELLIPSIS)
    end = 0
    used = 0
    for index, char in enumerate(text):
        used += length(char)
        if used > room:
            break
        if _boundary_after(text, index):
            end = index + 1
    return text[:end].rstrip() + ELLIPSIS


def _boundary_after(text: str, index: int) -> bool:
    """Whether a cut between ``text[index]`` and the character after it keeps graphemes
    whole (a simplified UAX #29: enough for the marks, joiners and modifiers labels carry)."""
    if index + 1 >= len(text):
        return True
    here, after = text[index], text[index + 1]
    if here in _JOINERS or after in _JOINERS:
        return False
    if unicodedata.category(after) in {"Mn", "Mc", "Me"}:
        return False  # a mark belongs to the letter before it
    if "\ufe00" <= after <= "\ufe0f" or "\U0001f3fb" <= after <= "\U0001f3ff":
        return False  # a variation selector or a skin tone belongs to its emoji
    return not ("\U0001f1e6" <= here <= "\U0001f1ff" and "\U0001f1e6" <= after <= "\U0001f1ff")
