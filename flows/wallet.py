"""A number outside the bank's directory: the new-to-bank menu (open a wallet · claim money
sent to you · contact us), the one-time onboarding link, and the welcome once the wallet is open.

Nothing here is kept between messages (the number has no conversation until it is a customer),
so every message is read on its own: a choice by number or word, anything else the menu again.
The link is bound to the number the message came from; the person types who they are only on
the secure page, never in the chat (``auth.onboarding``).
"""

from __future__ import annotations

from auth.ports import LinkRefused
from flows import info
from flows.router import normalize
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging.masking import mask_account

ONBOARD = "onboard"  # the link's purpose (auth.stores.links.Purpose.ONBOARD)
_OPEN = frozenset({"1", "open wallet", "open a wallet", "wallet", "open", "open account"})
_CLAIM = frozenset({"2", "claim", "claim money", "money", "receive"})
_CONTACT = frozenset({"3", "contact", "contact us", "help", "branch", "branches"})


def handle(ctx: Context, text: str) -> Outcome:
    """A message from a number outside the directory."""
    word = normalize(text)
    if word in _OPEN or word in _CLAIM:
        return _link(ctx, claim=word in _CLAIM)
    if word in _CONTACT:
        return _stateless(info.contact_reply(ctx, "contact.branch"), _call_us(ctx))
    return _stateless(Reply("directory.unknown_number"))


def _stateless(*replies: Reply) -> Outcome:
    return Outcome(State.MAIN_MENU, replies, persist=False)


def _call_us(ctx: Context) -> Reply:
    return info.contact_reply(ctx, "contact.call")


def _link(ctx: Context, *, claim: bool) -> Outcome:
    try:
        link = ctx.identity.link(ctx.msisdn, "", ONBOARD)
    except LinkRefused as exc:
        minutes = str(max(1, -(-exc.retry_after_s // 60)))
        return _stateless(Reply("auth.too_many_links", {"minutes": minutes}))
    key = "wallet.claim_link" if claim else "wallet.open_link"
    return _stateless(Reply(key, {"url": link.url, "minutes": str(link.minutes)}))


def already(ctx: Context) -> Outcome:
    """``open wallet`` from a customer: they bank with us already."""
    return Outcome(State.MAIN_MENU, (Reply("wallet.already"), Reply("menu.hint")))


def opened(ctx: Context) -> Outcome:
    """The wallet has just opened on the secure page: what the new customer can do now, their
    balance and the limits of their KYC level, from the bank."""
    assert ctx.customer is not None
    wallet = ctx.bank.wallet_of(ctx.customer.msisdn)
    limits = ctx.bank.limits(ctx.customer.customer_id)
    money = f"{ctx.currency} {{:,.2f}}".format
    params = {
        "name": ctx.customer.name.split()[0],
        "wallet": mask_account(wallet.number) if wallet else "",
        "balance": money(wallet.balance if wallet else 0),
        "level": str(limits.level),
        "per_transaction": money(limits.per_transaction),
        "daily": money(limits.daily),
        "monthly": money(limits.monthly),
    }
    return Outcome(State.MAIN_MENU, (Reply("wallet.opened", params), Reply("menu.hint")))
