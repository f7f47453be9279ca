"""Home-page section of notify: failed deliveries, for the system administrator."""

from __future__ import annotations

from xinbao.accounts.models import Role, User
from xinbao.lib.home import Section, register
from xinbao.notify.selectors import failed_count


@register(120)
def deliveries(user: User) -> Section | None:
    if user.role != Role.SYSTEM_ADMIN:
        return None
    return Section("notify/partials/_home_deliveries.html", {"failed_deliveries": failed_count()})
