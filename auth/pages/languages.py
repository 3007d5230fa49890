"""The secure pages' language: the one of the number whose link the page opened.

Flask-Babel selects the locale (``locale_selector``) and formats in it; the page's text comes
from the same catalogs as the chat's (``messaging.languages``): each template string is a
``pgettext(key, english)`` call, extracted with Babel's Jinja extractor into ``locales/`` with
its key as ``msgctxt`` (``app.languages``). Each request starts in English; opening a link
switches it to its number's language, so the amounts and times formatted while the page is
built (``messaging.local_format``) follow too. A public page that no number's link opened (the
receipt check, a dead claim link) speaks the browser's language instead (``browser``).
``<html lang dir>`` come from the locale: Arabic pages are right to left, and the stylesheet
uses logical properties so they mirror.
"""

from __future__ import annotations

from babel.dates import get_month_names
from flask import Flask, g, request
from flask_babel import Babel

from messaging.languages import SOURCE, catalogs, direction, use
from messaging.languages import text as in_language

_KEY = "teller_language"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=selected)
    # After Flask-Babel's own: the pages' strings come from Teller's catalogs, by key.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: message,
        ngettext=lambda singular, plural, n: singular if n == 1 else plural,
        newstyle=True,
        pgettext=lambda key, english: in_language(key, english, selected()),
        npgettext=lambda key, singular, plural, n: in_language(
            key, singular if n == 1 else plural, selected()
        ),
    )
    app.before_request(_start_in_english)
    app.teardown_request(_back_to_english)
    app.context_processor(_page_language)


def choose(language: str) -> None:
    """This request's pages and formatting are in ``language`` (a link's number's)."""
    g.teller_language = language
    use(language)


def chosen() -> bool:
    """Whether this request's language was chosen (else it is English by default)."""
    return _KEY in g


def browser() -> str:
    """The browser's ``Accept-Language`` best matched among the catalogs' languages (``fr-FR``
    finds ``fr``); English when it names none of them, or sends none."""
    offered = {language.replace("_", "-").lower(): language for language in catalogs().languages}
    best = request.accept_languages.best_match(list(offered))
    return offered.get(best.lower(), SOURCE) if best else SOURCE


def default_to_browser() -> None:
    """A page that chose no language (no link of a number's was opened): the browser's."""
    if not chosen():
        choose(browser())


def selected() -> str:
    return str(g.get(_KEY, SOURCE))


def _start_in_english() -> None:
    use(SOURCE)  # a worker thread serves many requests: none inherits another's language


def _back_to_english(_: BaseException | None) -> None:
    use(SOURCE)  # nor does what runs after the request in this thread (a test's next step)


def _page_language() -> dict[str, str]:
    language = selected()
    return {"page_language": language.replace("_", "-"), "page_direction": direction(language)}


def month_names(english: tuple[str, ...]) -> tuple[str, ...]:
    """The twelve months as the page's language names them (Babel's, stand-alone)."""
    language = selected()
    if language == SOURCE:
        return english
    names = get_month_names("wide", context="stand-alone", locale=language)
    return tuple(str(names[month]) for month in range(1, 13))
