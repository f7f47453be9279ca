"""Home-page section of the scanner: rows that failed, or no scanner running, for the system
administrator; nothing when all is well."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.lib.home import Section, register
from xinbao.scheduler import selectors


@register(125)
def scheduled_jobs(user: User) -> Section | None:
    if not selectors.can_see_chores(user):
        return None
    failed = selectors.failure_count()
    stalled_since = selectors.stalled_since()
    if not failed and stalled_since is None:
        return None
    return Section(
        "scheduler/partials/_home_chores.html",
        {"failed_chores": failed, "stalled_since": stalled_since},
    )
