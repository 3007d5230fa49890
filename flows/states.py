"""Every state a conversation can be in.

A state names what the bot is waiting for; the table in ``flows.engine`` maps each to its
handler. The diagram in ``flows/README.md`` changes with this file.
"""

from enum import StrEnum


class State(StrEnum):
    MAIN_MENU = "main_menu"  # waiting for a menu choice or an intent word
    CONTACT_MENU = "contact_menu"  # inside "Contact us": waiting for 1-3
    AWAIT_AUTH = "await_auth"  # a register/login link was sent; the intent waits to resume
    STATEMENT_ACCOUNT = "statement_account"  # mini statement: which account (secured)
    SECURITY_MENU = "security_menu"  # profile & security: recent logins, PIN, logout (secured)
    STEP_UP = "step_up"  # a step-up challenge is out: waiting for its code (secured)
    STATEMENT_PDF_ACCOUNT = "statement_pdf_account"  # PDF statement: which account (secured)
    STATEMENT_PDF_PERIOD = "statement_pdf_period"  # PDF statement: 30 days, 3 months, a month
    STATEMENT_PDF_MONTH = "statement_pdf_month"  # PDF statement: which month (secured)
    TRANSFER_SOURCE = "transfer_source"  # transfer: from which account (secured)
    TRANSFER_PAYEE = "transfer_payee"  # transfer: own account, saved payee or new (secured)
    TRANSFER_BANK = "transfer_bank"  # new payee: which bank (secured)
    TRANSFER_ACCOUNT = "transfer_account"  # new payee: the account number (secured)
    TRANSFER_MOBILE = "transfer_mobile"  # send to a mobile number: which number (secured)
    TRANSFER_NAME = "transfer_name"  # new payee: is this the right name? (secured)
    TRANSFER_AMOUNT = "transfer_amount"  # transfer: how much (secured)
    TRANSFER_CONFIRM = "transfer_confirm"  # transfer: the summary, waiting for yes/no (secured)
    TRANSFER_SAVE = "transfer_save"  # after a new payee's transfer: save them? (secured)
    BILL_BILLER = "bill_biller"  # bill payment: which biller (secured)
    BILL_REFERENCE = "bill_reference"  # bill payment: the biller's reference (secured)
    BILL_SOURCE = "bill_source"  # bill payment: from which account (secured)
    BILL_AMOUNT = "bill_amount"  # bill payment: how much (secured)
    BILL_CONFIRM = "bill_confirm"  # bill payment: the summary, waiting for yes/no (secured)
    CARDS_LIST = "cards_list"  # cards: which card (secured)
    CARD_ACTION = "card_action"  # a card: lock, unlock, activate, replace, cancel (secured)
    CARD_REPLACE_REASON = "card_replace_reason"  # replace: lost, stolen or damaged (secured)
    CARD_CANCEL_CONFIRM = "card_cancel_confirm"  # cancel: asked twice (secured)
    PROFILE_EMAIL = "profile_email"  # profile: the new email address (secured)
    PROFILE_LOGIN_ID = "profile_login_id"  # profile: the new chat-banking ID (secured)
    PROFILE_LIMIT = "profile_limit"  # profile: the customer's own daily limit (secured)
    REQUEST_CHOICE = "request_choice"  # a one-line request's name fits several: which? (secured)
    LANGUAGE_MENU = "language_menu"  # profile & security: which language Teller writes in


# States that only a logged-in customer may be in: every message there checks the session first.
SECURED_STATES = frozenset(
    {
        State.STATEMENT_ACCOUNT,
        State.SECURITY_MENU,
        State.STEP_UP,
        State.STATEMENT_PDF_ACCOUNT,
        State.STATEMENT_PDF_PERIOD,
        State.STATEMENT_PDF_MONTH,
        State.TRANSFER_SOURCE,
        State.TRANSFER_PAYEE,
        State.TRANSFER_BANK,
        State.TRANSFER_ACCOUNT,
        State.TRANSFER_NAME,
        State.TRANSFER_MOBILE,
        State.TRANSFER_AMOUNT,
        State.TRANSFER_CONFIRM,
        State.TRANSFER_SAVE,
        State.BILL_BILLER,
        State.BILL_REFERENCE,
        State.BILL_SOURCE,
        State.BILL_AMOUNT,
        State.BILL_CONFIRM,
        State.CARDS_LIST,
        State.CARD_ACTION,
        State.CARD_REPLACE_REASON,
        State.CARD_CANCEL_CONFIRM,
        State.PROFILE_EMAIL,
        State.PROFILE_LOGIN_ID,
        State.PROFILE_LIMIT,
        State.REQUEST_CHOICE,
    }
)
