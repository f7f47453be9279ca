"""Home-page section of scoring: the reporter's unit this month (quota, points, rank)."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.lib.home import Section, register
from xinbao.scoring.month import reporter_month


@register(60)
def my_month(user: User) -> Section | None:
    month = reporter_month(user)
    if month is None:
        return None
    return Section("scoring/partials/_home_month.html", {"my_month": month})
