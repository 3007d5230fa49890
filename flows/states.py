"""Every state a conversation can be in.

A state names what the bot is waiting for; the table in ``flows.engine`` maps each to its
handler. The diagram in ``flows/README.md`` changes with this file.
"""

from enum import StrEnum


class State(StrEnum):
    MAIN_MENU = "main_menu"  # waiting for a menu choice or an intent word
    CONTACT_MENU = "contact_menu"  # inside "Contact us": waiting for 1-3
