"""Home-page section of accounts: locked accounts, for the system and security administrators."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings

from xinbao.accounts.models import Role, User
from xinbao.lib.home import HOME_LIMIT, Section, register


@register(100)
def locked(user: User) -> Section | None:
    if user.role not in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        return None
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    return Section(
        "accounts/partials/_home_locked.html",
        {"locked": attempts.order_by("-attempt_time")[:HOME_LIMIT]},
    )
