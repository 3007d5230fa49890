"""The KYC levels page and the customer KYC level form through the Flask test client: what each
role sees, saves in force and audited, every problem beside its field with nothing saved, a
stale form refused, refusals for roles without the permission and for posts without CSRF, and
a refused customer form's problems carried back to the customer page."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from admin.staff.roles import Role
from app import Services
from bank.ports import Limit, LimitExceeded, TransferRequest
from tests.console import ConsoleClient, console_as
from tests.fakes import FrozenClock

WHY = "Annual limits review, ticket KYC-118"
LEVEL_2 = {"per_transaction": "2000.00", "daily": "5000.00", "monthly": "30000.00"}


def html(response: TestResponse) -> str:
    """The page's text as a reader sees it: entities decoded, runs of spaces as one."""
    return " ".join(unescape(response.get_data(as_text=True)).split())


def errors_of(text: str, field_id: str) -> list[str]:
    found = re.search(rf'id="{field_id}-errors">(.*?)</ul>', text, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def version_of(text: str, form_id: str) -> str:
    form = text.split(f'id="{form_id}"', 1)[1]
    found = re.search(r'name="version" value="([0-9]+)"', form)
    assert found is not None
    return found.group(1)


def events(services: Services, name: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in services.auth.audit.entries(event=name)]


def admin_on_kyc(app: Flask, services: Services, clock: FrozenClock) -> tuple[ConsoleClient, str]:
    console, _ = console_as(app, services, clock, Role.ADMIN, "ada.admin")
    page = console.get("/admin/kyc")
    assert page.status_code == 200
    return console, html(page)


def test_an_admin_sees_the_levels_in_the_banks_currency_and_a_form_per_level(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    _, text = admin_on_kyc(app, services, clock)
    row = text.split('id="level-2-row"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">(.*?)</td>', row) == [
        "USD 2,000.00",
        "USD 5,000.00",
        "USD 30,000.00",
    ]
    for form in ("level-1", "level-2", "level-3", "level-new", "cooling-off"):
        assert re.search(rf'<form method="post" action="[^"]+" id="{form}"', text), form
    assert 'action="/admin/kyc/levels/4#level-new"' in text  # adding the next level
    assert "For <strong>24 hours</strong>" in text and "<strong>USD 200.00</strong>" in text


def test_an_admin_changes_a_daily_limit_in_force_and_audited(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, text = admin_on_kyc(app, services, clock)
    form = {**LEVEL_2, "daily": "6,000", "reason": WHY, "version": version_of(text, "level-2")}
    saved = console.post("/admin/kyc/levels/2", form)
    assert saved.status_code == 303 and saved.location.endswith("/admin/kyc")
    assert services.bank.kyc_levels()[1].daily == Decimal("6000.00")
    after = html(console.get("/admin/kyc"))
    assert "KYC level 2 saved: in force for the next money movement." in after
    assert "USD 6,000.00" in after
    assert 'href="/admin/audit?event=kyc."' in after  # the history, for those who read the audit
    [entry] = events(services, "kyc.level_changed")
    assert (entry["actor"], entry["level"], entry["reason"]) == ("ada.admin", "2", WHY)


def test_every_problem_is_shown_beside_its_field_and_nothing_is_saved(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, text = admin_on_kyc(app, services, clock)
    before = services.bank.kyc_levels()
    form = {**LEVEL_2, "daily": "lots", "monthly": "1.005", "version": version_of(text, "level-2")}
    refused = console.post("/admin/kyc/levels/2", form)
    assert refused.status_code == 422
    text = html(refused)
    assert errors_of(text, "level-2-daily") == ["more than 0, at most 2 decimals, such as 1000.00"]
    assert errors_of(text, "level-2-monthly") == errors_of(text, "level-2-daily")
    assert errors_of(text, "level-2-reason") == [
        "required: say why, for the audit and the approving admin"
    ]
    assert errors_of(text, "level-3-daily") == []  # only the form that was sent
    assert 'id="level-2-daily" name="daily" type="text" value="lots"' in text  # as typed
    assert 'aria-invalid="true"' in text
    order = {**LEVEL_2, "daily": "1500", "reason": WHY, "version": version_of(text, "level-2")}
    text = html(console.post("/admin/kyc/levels/2", order))
    assert errors_of(text, "level-2-daily") == ["at least the per-transaction limit (2,000.00)"]
    assert services.bank.kyc_levels() == before
    assert events(services, "kyc.level_changed") == []


def test_a_form_made_from_limits_changed_since_is_refused(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, text = admin_on_kyc(app, services, clock)
    version = version_of(text, "level-2")
    first = {**LEVEL_2, "daily": "6000", "reason": WHY, "version": version}
    assert console.post("/admin/kyc/levels/2", first).status_code == 303
    second = {**LEVEL_2, "monthly": "35000", "reason": WHY, "version": version}
    stale = console.post("/admin/kyc/levels/2", second)
    assert stale.status_code == 409
    assert "was changed by someone else after you opened this page" in html(stale)
    assert 'id="level-2-daily" name="daily" type="text" value="6000.00"' in html(stale)
    assert services.bank.kyc_levels()[1].monthly == Decimal("30000.00")


def test_the_next_level_is_added_and_a_gap_is_refused(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, _ = admin_on_kyc(app, services, clock)
    new = {"per_transaction": "20000", "daily": "50000", "monthly": "400000", "reason": WHY}
    gap = console.post("/admin/kyc/levels/6", new)
    assert gap.status_code == 422
    assert "level: a new level is the next one, 4" in html(gap)
    assert console.post("/admin/kyc/levels/4", new).status_code == 303
    assert [k.level for k in services.bank.kyc_levels()] == [1, 2, 3, 4]


def test_an_admin_changes_the_cooling_off(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, text = admin_on_kyc(app, services, clock)
    version = version_of(text, "cooling-off")
    over = console.post(
        "/admin/kyc/cooling-off",
        {"hours": "1 day", "cap": "1000.01", "reason": WHY, "version": version},
    )
    assert over.status_code == 422
    assert errors_of(html(over), "cooling-off-hours") == ["a whole number of hours from 0 to 720"]
    assert errors_of(html(over), "cooling-off-cap") == [
        "at most the lowest KYC level's daily limit (1,000.00): the cooling-off only ever "
        "lowers limits"
    ]
    assert services.auth.cooling.get().version == 0  # nothing stored
    saved = {"hours": "48", "cap": "150", "reason": WHY, "version": version}
    assert console.post("/admin/kyc/cooling-off", saved).status_code == 303
    assert (services.auth.cooling.get().hours, services.auth.cooling_off_cap) == (
        48,
        Decimal("150.00"),
    )
    assert "For <strong>48 hours</strong>" in html(console.get("/admin/kyc"))
    assert events(services, "kyc.settings_changed")[0]["actor"] == "ada.admin"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.AUDITOR])
def test_other_roles_read_the_levels_without_a_form_and_their_posts_are_refused(
    app: Flask, services: Services, clock: FrozenClock, role: Role
) -> None:
    console, _ = console_as(app, services, clock, role)
    text = html(console.get("/admin/kyc"))
    assert "USD 5,000.00" in text
    assert (
        'action="/admin/kyc' not in text and "Save level" not in text and "Edit level" not in text
    )
    assert ('href="/admin/audit?event=kyc."' in text) is (role is Role.AUDITOR)
    refused = console.post("/admin/kyc/levels/2", {**LEVEL_2, "daily": "9000", "reason": WHY})
    assert refused.status_code == 403
    assert console.post("/admin/kyc/cooling-off", {"hours": "1", "cap": "1"}).status_code == 403
    assert services.bank.kyc_levels()[1].daily == Decimal("5000.00")


def test_a_post_without_csrf_is_refused(app: Flask, services: Services, clock: FrozenClock) -> None:
    console, _ = admin_on_kyc(app, services, clock)
    form = {**LEVEL_2, "daily": "6000", "reason": WHY}
    answer = console.client.post("/admin/kyc/levels/2", data=form)  # no csrf_token
    assert answer.status_code == 400
    assert services.bank.kyc_levels()[1].daily == Decimal("5000.00")
    assert events(services, "kyc.level_changed") == []


# --- the customer page's KYC level form ---


CUSTOMER_PAGE = "/admin/customers"  # the customer page, which includes the partial


def test_an_operator_changes_a_customers_level(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, _ = console_as(app, services, clock, Role.OPERATOR, "ola.operator")
    text = html(console.get(f"{CUSTOMER_PAGE}/C001"))
    assert 'id="kyc-level-now">2</strong>' in text
    assert "USD 2,000.00 a transfer, USD 5,000.00 a day and USD 30,000.00 a month" in text
    assert '<option value="3">Level 3' in text and '<option value="2">' not in text
    done = console.post(
        "/admin/customers/C001/kyc-level", {"level": "3", "reason": WHY, "version": "2"}
    )
    assert done.status_code == 303 and done.location.endswith(
        "/admin/customers/C001#kyc-level-change"
    )
    customer = services.bank.customer("C001")
    assert customer is not None and customer.kyc_level == 3
    [entry] = events(services, "customer.kyc_level")
    assert (entry["customer"], entry["actor"], entry["before"], entry["level"]) == (
        "C001",
        "ola.operator",
        "2",
        "3",
    )


def test_a_refused_customer_form_comes_back_beside_its_fields(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, _ = console_as(app, services, clock, Role.OPERATOR)
    console.get(f"{CUSTOMER_PAGE}/C001")
    refused = console.post(
        "/admin/customers/C001/kyc-level",
        {"level": "", "reason": "card 5399831234564242", "version": "2"},
    )
    assert refused.status_code == 303
    text = html(console.get(f"{CUSTOMER_PAGE}/C001"))
    assert errors_of(text, "kyc-change-level") == ["required: choose the new level"]
    assert errors_of(text, "kyc-change-reason")[0].startswith(
        "no account, card, ID or phone numbers"
    )
    assert "5399831234564242" not in text  # a refused reason is not carried back
    assert errors_of(html(console.get(f"{CUSTOMER_PAGE}/C001")), "kyc-change-level") == []  # once
    stale = console.post(
        "/admin/customers/C001/kyc-level", {"level": "3", "reason": WHY, "version": "1"}
    )
    assert stale.status_code == 303
    assert "changed by someone else" in html(console.get(f"{CUSTOMER_PAGE}/C001"))
    customer = services.bank.customer("C001")
    assert customer is not None and customer.kyc_level == 2
    assert events(services, "customer.kyc_level") == []


def test_a_viewer_cannot_change_a_customers_level(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, _ = console_as(app, services, clock, Role.VIEWER)
    answer = console.post("/admin/customers/C001/kyc-level", {"level": "3", "reason": WHY})
    assert answer.status_code == 403
    customer = services.bank.customer("C001")
    assert customer is not None and customer.kyc_level == 2
    admin, _ = console_as(app, services, clock, Role.ADMIN)
    unknown = admin.post("/admin/customers/C999/kyc-level", {"level": "3", "reason": WHY})
    assert unknown.status_code == 404


def test_a_limit_lowered_in_the_console_refuses_the_next_transfer(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    def send(key: str) -> None:
        services.bank.transfer(
            TransferRequest(key, "0123456789", "0987654321", "044", Decimal("1500.00"), "x", "C001")
        )

    console, text = admin_on_kyc(app, services, clock)
    send("before")  # Amina, level 2: 2,000.00 a transfer
    form = {**LEVEL_2, "per_transaction": "1000", "reason": WHY}
    assert (
        console.post(
            "/admin/kyc/levels/2", {**form, "version": version_of(text, "level-2")}
        ).status_code
        == 303
    )
    with pytest.raises(LimitExceeded) as over:
        send("after")  # the same bank, no restart
    assert over.value.limit is Limit.PER_TRANSACTION
