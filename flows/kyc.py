"""Upgrade your KYC level, from Profile & security (or the words *upgrade kyc*, or a photo sent
into the chat): a one-time secure page where the customer uploads an identity document and a
proof of address. The chat never takes documents: a photo or file sent here is not kept, and
the reply says why and where to send it. Staff review the documents in the console; the
outcome comes back into this chat (``auth.kyc.service``).
"""

from __future__ import annotations

from auth.ports import LinkRefused
from flows.states import State
from flows.types import Context, Outcome, Reply


def start(ctx: Context) -> Outcome:
    """The upload link for the level above the customer's (secured: the token check ran)."""
    assert ctx.customer is not None
    higher = sorted(k.level for k in ctx.bank.kyc_levels() if k.level > ctx.customer.kyc_level)
    if not higher:
        reply = Reply("kyc.highest", {"level": str(ctx.customer.kyc_level)})
        return Outcome(State.MAIN_MENU, (reply, Reply("menu.hint")))
    try:
        link = ctx.identity.link(ctx.customer.msisdn, ctx.customer.customer_id, "kyc")
    except LinkRefused as exc:
        minutes = str(max(1, -(-exc.retry_after_s // 60)))
        return Outcome(State.MAIN_MENU, (Reply("auth.too_many_links", {"minutes": minutes}),))
    params = {"url": link.url, "minutes": str(link.minutes), "level": str(higher[0])}
    return Outcome(State.MAIN_MENU, (Reply("kyc.upload_link", params),))
