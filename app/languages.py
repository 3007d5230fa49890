"""The translation catalogs' English source, and the commands that keep ``locales/`` up to date.

Every customer-facing string has a key and an English text in the code: chat replies, menu
labels, account kinds and the words customers may type (``flows.responses``), notices and block
reasons (``messaging.notices``), the pages' templates and what their Python writes
(``auth.page_texts``, ``auth.onboarding_texts``, the security questions, the claim page's own
words). ``sources()`` gathers them by group; ``flask --app app languages extract`` writes them
to ``locales/messages.pot`` with the key as ``msgctxt``, ``languages update`` merges that
template into every language's ``.po`` (a changed English text becomes fuzzy there, so it shows
in English until it is translated again), ``languages missing`` lists what each language still
lacks. See docs/languages.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup
from jinja2.ext import babel_extract

from app.config import ROOT
from auth import onboarding_texts, page_texts, questions
from auth.scenarios import seed
from bot import claims
from flows import cards, documents, responses, stepup, transfer
from messaging import notices
from messaging.languages import DOMAIN, LOCALES_DIR, NAME_KEY, SOURCE, Catalogs, catalogs
from receipts import wording

HEADER = (
    "# Teller's English, to translate. Written by `flask --app app languages extract` from the\n"
    "# code: edit the English there, never here. Each msgctxt is the text's key."
)
STABLE_DATE = datetime(2026, 1, 1, tzinfo=UTC)

# The pages whose templates speak the customer's language: the secure ones, the claim and the
# receipt check.
PAGE_TEMPLATES = tuple(ROOT / "templates" / folder for folder in ("secure", "claims", "verify"))

# The groups a language must have complete to be offered to customers (docs/languages.md).
REQUIRED = ("chat", "notices", "pages", "receipts", "mfa")


def sources() -> dict[str, dict[str, str]]:
    """Every translatable key's English text, by group."""
    chat = {
        NAME_KEY: "English",
        **responses.CATALOG,
        **{f"menu_label.{key}": label for key, label in responses.MENU_LABELS.items()},
        **responses.ACCOUNT_TYPES,
        **responses.WORDS,
        **responses.DOCUMENTS,
        documents.PERIOD_KEY: documents.PERIOD,
        **{f"choice.{choice}": label for choice, label in responses.CHOICE_LABELS.items()},
        **{
            responses.contact_label_key(key): label
            for key, label in responses.CONTACT_LABELS.items()
        },
        **_choice_labels(),
    }
    notice = {
        **notices.NOTICES,
        **{f"reason.{kind}": reason for kind, reason in notices.BLOCK_REASONS.items()},
        "notice.card_number": notices.CARD_NUMBER,
        "notice.sample_reason": notices.SAMPLE_REASON,
    }
    return {
        "chat": chat,
        "notices": notice,
        "pages": {
            **pages(),
            **page_texts.TEXTS,
            **onboarding_texts.TEXTS,
            **{f"question.{qid}": q for qid, q in questions.QUESTIONS.items()},
            **claims.TEXTS,
        },
        "receipts": dict(wording.DOCUMENTS),
        "mfa": dict(seed.DEFAULT_TEMPLATES),
    }


def pages() -> dict[str, str]:
    """The pages' ``pgettext(key, english)`` calls, as Babel's Jinja extractor finds them in
    the templates (``auth.pages.languages``)."""
    found: dict[str, str] = {}
    for path in sorted(p for folder in PAGE_TEMPLATES for p in folder.glob("*.html")):
        with path.open("rb") as handle:
            for _, _, message, _ in babel_extract(handle, ["pgettext"], [], {}):
                # (key, english, None for each keyword argument)
                if not isinstance(message, tuple) or len(message) < 2:
                    continue
                key, english = message[0], message[1]
                if key and english and found.setdefault(key, english) != english:
                    raise ValueError(f"{path.name}: {key} has two English texts")
    return found


def _choice_labels() -> dict[str, str]:
    """The labels flows put in numbered choices (kept beside the flow that offers them)."""
    return {
        "card.label": cards.CARD,
        **{f"card_status.{status}": status for status in cards.OFFERED},
        **{f"card_action.{action}": label for action, label in cards.LABELS.items()},
        **{f"card_reason.{reason}": reason.title() for reason in cards.REASONS},
        **{f"stepup_way.{way}": label for way, label in stepup.WAY_LABELS.items()},
        **{f"transfer_choice.{n}": label for n, label in enumerate(transfer.EXTRA, start=1)},
        "transfer_choice.own": transfer.OWN_LABEL,
        "bill.your_reference": "your reference",
    }


def template_catalog() -> Catalog:
    """The ``.pot``: one entry per key, ``msgctxt`` the key, ``msgid`` the English."""
    pot = Catalog(
        project="Teller",
        domain=DOMAIN,
        fuzzy=False,
        header_comment=HEADER,
        creation_date=STABLE_DATE,  # the file changes only when the English does
        msgid_bugs_address="",
    )
    for group, texts in sources().items():
        for key, english in texts.items():
            pot.add(english, context=key, auto_comments=[f"group: {group}"])
    return pot


def missing(found: Catalogs | None = None) -> dict[str, dict[str, list[str]]]:
    """Each language's keys without a current translation, by group (the report)."""
    found = catalogs() if found is None else found
    report: dict[str, dict[str, list[str]]] = {}
    for language in found.languages:
        if language == SOURCE:
            continue
        report[language] = {
            group: sorted(k for k, en in texts.items() if not found.translated(k, en, language))
            for group, texts in sources().items()
        }
    return report


def write_template(root: Path = LOCALES_DIR) -> Path:
    path = root / f"{DOMAIN}.pot"
    with path.open("wb") as handle:
        write_po(handle, template_catalog(), width=100, omit_header=False, sort_output=False)
    return path


def update(language: str, root: Path = LOCALES_DIR) -> Path:
    """Merge the template into one language's ``.po`` (created when new)."""
    path = root / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    pot = template_catalog()
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        catalog.update(pot, update_header_comment=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(
            locale=language,
            domain=DOMAIN,
            project="Teller",
            fuzzy=False,
            header_comment=f"# Teller in {language}: translate each msgid; see docs/languages.md.",
            creation_date=STABLE_DATE,
            revision_date=STABLE_DATE,
            msgid_bugs_address="",
        )
        catalog.update(pot)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, ignore_obsolete=True, sort_output=False)
    return path


languages_cli = AppGroup("languages", help="Keep the translation catalogs (locales/) up to date.")


@languages_cli.command("extract")
def extract_command() -> None:
    """Write locales/messages.pot from the English in the code."""
    click.echo(f"wrote {write_template()}")


@languages_cli.command("update")
@click.argument("language", required=False)
def update_command(language: str | None) -> None:
    """Merge messages.pot into LANGUAGE's catalog (all catalogs when omitted)."""
    write_template()
    chosen = [language] if language else [lang for lang in catalogs().languages if lang != SOURCE]
    for lang in chosen:
        click.echo(f"updated {update(lang)}")


@languages_cli.command("missing")
def missing_command() -> None:
    """List every key each language lacks, by group."""
    _echo_report(missing())


def _echo_report(report: Mapping[str, Mapping[str, list[str]]]) -> None:
    for language, groups in report.items():
        for group, keys in groups.items():
            click.echo(f"{language} {group}: {len(keys)} missing")
            for key in keys:
                click.echo(f"  {key}")
