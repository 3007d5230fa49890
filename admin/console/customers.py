"""The Customers screens (operators and admins): a search box over number, chat-banking ID and
name; a customer's page (``customer.view`` audited at every showing: who looked at whom); and
its actions — block and unblock, lift a lockout, end the sessions, reset the registration
(behind a confirmation page) — each with a reason, done by ``auth.care`` and audited there
with the staff member as actor.

Views parse → call → render: a problem with a form re-shows the page with the message beside
its field and nothing changed (422); an action that doesn't apply re-shows it saying why (409);
a done action redirects to the page with what was done.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from admin.console.blueprint import bp
from admin.console.guard import CHANNEL, audit_staff, current_staff, requires
from admin.console.render import page
from admin.customers.forms import Action, ActionForm, read
from admin.customers.profile import customer_page
from admin.customers.search import chat_banking_status, search
from admin.staff.roles import Permission
from admin.wiring import services
from auth.care import Actor, CustomerCare, Refused
from bank.ports import Customer
from messaging.masking import mask_phone

MAX_ID = 64
# What each action's success says, after the customer's name.
DONE = {
    Action.BLOCK: "{name}: chat banking blocked; the session, links and any step-up ended.",
    Action.UNBLOCK: "{name}: chat banking restored; the customer logs in again to use it.",
    Action.LIFT: "{name}: lockouts lifted ({kinds}); the next block will still be longer.",
    Action.END: "{name}: logged out everywhere; outstanding links no longer work.",
    Action.RESET: "{name}: registration reset; the customer registers again in the chat. "
    "Money and bank details are untouched.",
}


def _customer(customer_id: str) -> Customer:
    found = services().bank.customer(customer_id) if len(customer_id) <= MAX_ID else None
    if found is None:
        raise NotFound()
    return found


def _actor() -> Actor:
    return Actor(current_staff().username, CHANNEL, request.remote_addr or "unknown")


@bp.get("/customers")
@requires(Permission.READ_CUSTOMERS)
def customers() -> ResponseReturnValue:
    graph = services()
    results = search(graph.bank, graph.auth.credentials, request.args.get("q", ""))
    problems = {"q": [results.problem]} if results.problem else {}
    return page(
        "admin/customers.html", 422 if problems else 200, results=results, problems=problems
    )


def show(
    customer: Customer,
    status: int = 200,
    problems: dict[str, list[str]] | None = None,
    form: ActionForm | None = None,
    refusal: tuple[Action, str] | None = None,
) -> ResponseReturnValue:
    """The customer's page; every showing is audited (who looked at whom)."""
    graph = services()
    model = customer_page(
        graph.bank,
        graph.auth,
        customer,
        zone=graph.zone,
        currency=graph.currency,
        clock=graph.clock,
    )
    audit_staff("customer.view", customer_id=customer.customer_id, msisdn=customer.msisdn)
    return page(
        "admin/customer.html",
        status,
        customer=model,
        kyc_levels=graph.bank.kyc_levels(),
        problems=problems or {},
        values=form.values() if form else {},
        refusal=refusal,
    )


@bp.get("/customers/<customer_id>")
@requires(Permission.READ_CUSTOMERS)
def customer(customer_id: str) -> ResponseReturnValue:
    return show(_customer(customer_id))


def _run(action: Action, customer: Customer, form: ActionForm) -> str:
    """Do the action; what to tell the staff member. Raises Refused."""
    care: CustomerCare = services().care
    msisdn, cid, by = customer.msisdn, customer.customer_id, _actor()
    done = DONE[action].format(name=customer.name, kinds="")
    if action is Action.BLOCK:
        care.block(msisdn, cid, form.reason, by, lost_phone=form.lost_phone)
        if form.lost_phone:
            done += " Marked as a lost phone: no SMS was sent to it."
    elif action is Action.UNBLOCK:
        care.restore(msisdn, cid, form.reason, by)
    elif action is Action.LIFT:
        lifted = care.lift_lockout(msisdn, cid, form.reason, by, form.kinds)
        done = DONE[action].format(name=customer.name, kinds=", ".join(k.value for k in lifted))
    elif action is Action.END:
        if not care.end_sessions(msisdn, cid, form.reason, by):
            done = f"{customer.name}: no session was active; outstanding links no longer work."
    else:
        care.reset_registration(msisdn, cid, form.reason, by)
    return done


def _act(
    action: Action, customer_id: str, again: Callable[..., ResponseReturnValue]
) -> ResponseReturnValue:
    """Parse the action's form, run it, and redirect to the page, or show ``again`` with why."""
    customer = _customer(customer_id)
    form, problems = read(action, request.form)
    if problems:
        return again(customer, 422, problems=problems, form=form)
    try:
        done = _run(action, customer, form)
    except Refused as exc:
        if exc.field:
            return again(customer, 422, problems={f"{action}_{exc.field}": [exc.why]}, form=form)
        return again(customer, 409, form=form, refusal=(action, f"{customer.name} {exc.why}."))
    flash(done, "ok")
    return redirect(url_for("console.customer", customer_id=customer.customer_id), 303)


@bp.post("/customers/<customer_id>/block")
@requires(Permission.ACT_ON_CUSTOMERS)
def block(customer_id: str) -> ResponseReturnValue:
    return _act(Action.BLOCK, customer_id, show)


@bp.post("/customers/<customer_id>/unblock")
@requires(Permission.ACT_ON_CUSTOMERS)
def unblock(customer_id: str) -> ResponseReturnValue:
    return _act(Action.UNBLOCK, customer_id, show)


@bp.post("/customers/<customer_id>/lift-lockout")
@requires(Permission.ACT_ON_CUSTOMERS)
def lift_lockout(customer_id: str) -> ResponseReturnValue:
    return _act(Action.LIFT, customer_id, show)


@bp.post("/customers/<customer_id>/end-sessions")
@requires(Permission.ACT_ON_CUSTOMERS)
def end_sessions(customer_id: str) -> ResponseReturnValue:
    return _act(Action.END, customer_id, show)


def _confirm_reset(
    customer: Customer,
    status: int = 200,
    problems: dict[str, list[str]] | None = None,
    form: ActionForm | None = None,
    refusal: tuple[Action, str] | None = None,
) -> ResponseReturnValue:
    creds = services().auth.credentials.get(customer.msisdn)
    return page(
        "admin/customer_reset.html",
        status,
        customer_id=customer.customer_id,
        name=customer.name,
        number=mask_phone(customer.msisdn),
        chat_banking=chat_banking_status(customer, creds),
        problems=problems or {},
        values=form.values() if form else {},
        refusal=refusal,
    )


@bp.route("/customers/<customer_id>/reset", methods=["GET", "POST"])
@requires(Permission.ACT_ON_CUSTOMERS)
def reset(customer_id: str) -> ResponseReturnValue:
    """The confirmation step, then the reset."""
    if request.method == "GET":
        return _confirm_reset(_customer(customer_id))
    return _act(Action.RESET, customer_id, _confirm_reset)
