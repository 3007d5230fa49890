"""KYC reviews: the queue of customers' upgrade requests (``/admin/kyc/reviews``) and the review
page of one (``/admin/kyc/reviews/<id>``): the customer (number masked), the level asked for
and its limits, the documents (served to staff only, each view audited), the liveness verdict,
and one decision with a reason — approve, which moves the customer's level through the one
``customer.kyc_level`` path (four eyes when it is on), or reject, whose reason the customer is
told. Operators and admins (``Permission.REVIEW_KYC``).
"""

from __future__ import annotations

from flask import Response, flash, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from admin.console.blueprint import bp
from admin.console.guard import audit_staff, current_staff, requires
from admin.console.render import COUNTERS, by_field, page
from admin.kyc.base import KycStale
from admin.kyc.inputs import reason as reason_of
from admin.kyc.propose import propose
from admin.staff.roles import Permission
from admin.wiring import services
from auth.kyc.content import MIME, SUFFIX, Kind
from auth.kyc.requests import SLOTS, UpgradeRequest
from auth.kyc.service import NotOpen, Status
from auth.scenarios.validate import Invalid
from bank.ports import KycLevel
from messaging.masking import mask_phone
from messaging.notices import bank_time

PATH = "/admin/kyc/reviews"
DECIDED = {
    "approving": "an approval of it is in progress (or waits for a second admin)",
    "approved": "it was approved",
    "rejected": "it was rejected",
    "gone": "it no longer exists (requests expire after 30 days)",
}


def _request(request_id: str) -> UpgradeRequest:
    found = services().kyc.get(request_id)
    if found is None:
        raise NotFound()
    return found


def _limits(level: KycLevel | None) -> dict[str, str]:
    if level is None:
        return {}
    money = f"{services().currency} {{:,.2f}}".format
    return {
        "per transaction": money(level.per_transaction),
        "a day": money(level.daily),
        "a month": money(level.monthly),
    }


def _when(request: UpgradeRequest) -> str:
    return bank_time(request.created_at, services().zone)


@bp.get("/kyc/reviews")
@requires(Permission.REVIEW_KYC)
def kyc_reviews() -> ResponseReturnValue:
    graph = services()
    rows = []
    for item in graph.kyc.queue():
        customer = graph.bank.customer(item.customer_id)
        rows.append(
            {
                "request": item,
                "name": customer.name if customer else "(no longer a customer)",
                "number": mask_phone(item.msisdn),
                "received": _when(item),
            }
        )
    return page("admin/kyc_reviews.html", rows=rows)


@bp.get("/kyc/reviews/<request_id>")
@requires(Permission.REVIEW_KYC)
def kyc_review(request_id: str) -> ResponseReturnValue:
    return _review(_request(request_id))


def _review(
    item: UpgradeRequest, status: int = 200, problems: list[str] | None = None, typed: str = ""
) -> ResponseReturnValue:
    graph = services()
    customer = graph.bank.customer(item.customer_id)
    levels = {level.level: level for level in graph.bank.kyc_levels()}
    audit_staff("kyc.review.view", customer_id=item.customer_id, msisdn=item.msisdn,
                target=item.request_id)  # fmt: skip
    documents = [
        {
            "slot": doc.slot,
            "label": doc.label,
            "image": doc.kind is not Kind.PDF,
            "kind": doc.kind.value.upper(),
            "size": f"{max(1, round(doc.size / 1024)):,} KB",
        }
        for doc in item.documents
    ]
    return page(
        "admin/kyc_review.html",
        status,
        item=item,
        customer=customer,
        number=mask_phone(item.msisdn),
        received=_when(item),
        decided_at=bank_time(item.decided_at, graph.zone) if item.decided_at else "",
        now_limits=_limits(levels.get(customer.kyc_level if customer else item.from_level)),
        new_limits=_limits(levels.get(item.to_level)),
        documents=documents,
        open=item.status in (Status.PENDING, Status.APPROVING),
        problems=by_field(problems or [], ("reason",)),
        typed=typed,
    )


@bp.get("/kyc/reviews/<request_id>/documents/<slot>")
@requires(Permission.REVIEW_KYC)
def kyc_document(request_id: str, slot: str) -> ResponseReturnValue:
    item = _request(request_id)
    doc = item.document(slot) if slot in SLOTS else None
    if doc is None:
        raise NotFound()
    content = services().kyc.document(item, slot, current_staff().username)
    if content is None:
        raise NotFound()
    name = f"{item.request_id}-{slot}.{SUFFIX[doc.kind]}"
    # Images are shown on the review page; a PDF is downloaded, never rendered in the console.
    disposition = "attachment" if doc.kind is Kind.PDF else "inline"
    return Response(
        content,
        mimetype=MIME[doc.kind],
        # no-store, nosniff and a CSP of default-src 'none' come with every console answer.
        headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
    )


@bp.post("/kyc/reviews/<request_id>")
@requires(Permission.REVIEW_KYC)
def decide_kyc_review(request_id: str) -> ResponseReturnValue:
    item = _request(request_id)
    decision = request.form.get("decision", "")
    typed = request.form.get("reason", "")[:1000]
    problems: list[str] = []
    reason = reason_of({"reason": typed}, problems)
    if decision not in ("approve", "reject"):
        problems.append("Choose Approve or Reject.")
    if problems:
        return _review(item, 400, problems, "" if any("digits" in p for p in problems) else typed)
    who = current_staff().username
    back = redirect(f"{PATH}/{request_id}", 303)
    try:
        if decision == "reject":
            services().kyc.reject(request_id, who, reason)
            flash("Rejected. The customer has been told why in WhatsApp.")
            return back
        return _approve(item, who, reason, back)
    except NotOpen as exc:
        flash(f"Nothing was done: {DECIDED.get(exc.status, exc.status)}.", "warning")
        return back


def _approve(
    item: UpgradeRequest, who: str, reason: str, back: ResponseReturnValue
) -> ResponseReturnValue:
    kyc = services().kyc
    claimed = kyc.begin_approval(item.request_id, who)
    after = {"level": item.to_level, "reason": f"KYC review {item.request_id}: {reason}"}
    try:
        done = propose("customer.kyc_level", item.customer_id, after, item.from_level, who, reason)
    except Invalid as exc:
        kyc.undo_approval(item.request_id)
        return _review(item, 422, [f"Not approved: {p}" for p in exc.problems], reason)
    except KycStale:
        kyc.undo_approval(item.request_id)
        message = (
            "Not approved: the customer's KYC level changed since they sent these documents. "
            "Check their level on the customer page, then reject this request or ask them to "
            "send new documents."
        )
        return _review(item, 409, [message], reason)
    if done.applied:
        flash(f"Approved: the customer is at KYC level {item.to_level} and has been told.")
    else:
        change_id = str(getattr(done.pending, "change_id", ""))
        kyc.awaiting(claimed, change_id)
        flash(
            f"Approval proposed: KYC level {item.to_level} takes effect once another admin "
            "approves it in Approvals; the customer is told then.",
            "warning",
        )
    return back


def _waiting() -> int:
    return services().kyc.requests.count()


COUNTERS[PATH] = _waiting
