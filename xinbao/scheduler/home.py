"""Home-page section of the working calendar: years still missing, for the system administrator."""

from __future__ import annotations

from xinbao.accounts.models import Role, User
from xinbao.lib.home import Section, register
from xinbao.lib.workdays import calendar_warnings


@register(110)
def working_calendar(user: User) -> Section | None:
    if user.role != Role.SYSTEM_ADMIN:
        return None
    return Section(
        "scheduler/partials/_home_calendar.html", {"calendar_warnings": calendar_warnings()}
    )
