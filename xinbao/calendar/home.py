"""Home-page section of the working calendar: years still missing, for the system administrator."""

from __future__ import annotations

from xinbao.accounts.models import Role, User
from xinbao.calendar.workdays import calendar_warnings
from xinbao.lib.home import Section, register


@register(110)
def working_calendar(user: User) -> Section | None:
    if user.role != Role.SYSTEM_ADMIN:
        return None
    return Section(
        "calendar/partials/_home_calendar.html", {"calendar_warnings": calendar_warnings()}
    )
