"""Which template shows a reply's choices, within Twilio's limits (quick replies: at most 3
buttons in a session, titles of 20; list pickers: 1 to 10 items, titles of 24, descriptions of
72; bodies of 1,024), and the choices agreeing with the text a customer can type from."""

from __future__ import annotations

from bot.content.definitions import YES_NO_NAME, buttons_name, list_name, registry
from bot.content.replies import template_for
from bot.notice_templates import templates as notice_templates
from flows.menu import menu_choices, menu_text
from flows.moving import numbered, options, yes_no_choices
from flows.responses import render
from flows.types import Choice, Reply

COMMON = {"bank": "Demo Bank", "base_url": "https://teller.test"}


def test_yes_no_is_its_own_quick_reply() -> None:
    assert template_for("Send? Reply YES or NO.", yes_no_choices()) == (
        YES_NO_NAME,
        {"1": "Send? Reply YES or NO."},
    )


def test_two_or_three_short_choices_are_buttons() -> None:
    name, variables = template_for(
        "Why?\n1 Lost\n2 Stolen\n3 Damaged", options(["Lost", "Stolen", "Damaged"])
    ) or ("", {})
    assert name == buttons_name(3)
    assert variables == {
        "1": "Why?\n1 Lost\n2 Stolen\n3 Damaged",
        "2": "Lost",
        "3": "Stolen",
        "4": "Damaged",
    }


def test_long_titles_or_more_than_three_choices_are_a_list() -> None:
    long = options(["A title of more than twenty characters", "Short"])
    assert (template_for("Pick", long) or ("",))[0] == list_name(2)
    assert (template_for("Pick", options([str(n) for n in range(4)])) or ("",))[0] == list_name(4)
    same = options(["Same", "Same"])  # WhatsApp wants button titles unique
    assert (template_for("Pick", same) or ("",))[0] == list_name(2)


def test_list_items_are_cut_to_fit_and_say_how_to_type_them() -> None:
    label = "Chidi Okeke (Access Bank ••4321)"
    _, variables = template_for("Who?", options(["New payee", label, "x" * 100])) or ("", {})
    assert variables["2"] == "Choose"
    assert (variables["3"], variables["4"]) == ("New payee", "Or type 1")
    assert (variables["5"], variables["6"]) == ("Chidi Okeke (Access Ban…", label)
    assert len(variables["7"]) == 24 and len(variables["8"]) == 72
    assert all(len(variables[str(2 * n + 1)]) <= 24 for n in range(1, 4))


def test_what_doesnt_fit_stays_text() -> None:
    assert template_for("Pick", options([str(n) for n in range(11)])) is None  # 11 items
    assert template_for("x" * 1025, yes_no_choices()) is None  # body over 1,024
    assert template_for("Pick", ()) is None
    assert template_for("Pick", (Choice("a", "A"), Choice("b", "B"))) is None  # not typed ids
    assert template_for("Pick", (Choice("1", " "), Choice("2", "B"))) is None  # a blank title


def test_every_template_the_planner_names_is_defined_and_within_limits() -> None:
    names = {d.friendly_name: d for d in registry()}
    assert {YES_NO_NAME, buttons_name(2), buttons_name(3)} | {
        list_name(n) for n in range(1, 11)
    } <= set(names)
    for definition in registry():
        # Buttons and lists are session-only: never submitted, never approved. The proactive
        # notices' templates (bot.notice_templates) are the ones WhatsApp approves (UTILITY).
        notice = definition.friendly_name in notice_templates()
        assert definition.category == ("UTILITY" if notice else None)
        quick = definition.types.get("twilio/quick-reply")
        if quick:
            assert 1 <= len(quick["actions"]) <= 3
        listed = definition.types.get("twilio/list-picker")
        if listed:
            assert 1 <= len(listed["items"]) <= 10
            assert [i["id"] for i in listed["items"]] == [
                str(n) for n in range(1, len(listed["items"]) + 1)
            ]


def test_choices_are_the_numbered_lines_of_the_text() -> None:
    payees = numbered("transfer.choose_payee", ["New payee", "A mobile number", "Chidi O."])
    menu = Reply("menu", {"menu": menu_text()}, menu_choices())
    for reply in (payees, menu):
        text = render(reply, COMMON)
        assert all(f"\n{c.id} {c.title}" in text for c in reply.choices)
