"""Home-page sections of periodicals: issues to sign and instructions for leaders, issues to
check for the section chief, the night's issues for the morning, instructions a unit answers."""

from __future__ import annotations

from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.lib.home import HOME_LIMIT, Section, register
from xinbao.periodicals import selectors
from xinbao.periodicals.services import night_issues


@register(20)
def to_sign(user: User) -> Section | None:
    if user.role not in (Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER):
        return None
    return Section(
        "periodicals/partials/_home_to_sign.html",
        {
            "to_sign": list(selectors.sign_queue(user)[:HOME_LIMIT]),
            "my_instructions": list(selectors.leader_open_instructions(user)[:HOME_LIMIT]),
        },
    )


@register(30)
def to_check(user: User) -> Section | None:
    if user.role != Role.SECTION_CHIEF:
        return None
    return Section(
        "periodicals/partials/_home_to_check.html",
        {"to_check": list(selectors.section_check_queue()[:HOME_LIMIT])},
    )


@register(40)
def issued_at_night(user: User) -> Section | None:
    """What the duty officer issued overnight, for the section's morning."""
    if user.role not in (Role.EDITOR, Role.SECTION_CHIEF):
        return None
    return Section(
        "periodicals/partials/_home_night_issues.html",
        {"night_issues": list(night_issues()[:HOME_LIMIT])},
    )


@register(65)
def instructions_to_answer(user: User) -> Section | None:
    """Under the unit's month: the instructions waiting for the unit's feedback."""
    if not user.is_reporter or user.unit_id is None:
        return None
    return Section(
        "periodicals/partials/_home_instructions_to_answer.html",
        {
            "instructions": list(selectors.waiting_for_feedback(user)[:HOME_LIMIT]),
            "today": timezone.localdate(),
        },
    )
