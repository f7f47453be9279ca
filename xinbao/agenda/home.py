"""Home-page section of the agenda: for the information section, the priorities flagged as
stale (no information for their weeks); shown only when there are any."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.agenda.selectors import open_flags
from xinbao.agenda.services import can_manage
from xinbao.lib.home import HOME_LIMIT, Section, register


@register(25)
def stale(user: User) -> Section | None:
    if not can_manage(user):
        return None
    flags = list(open_flags().order_by("raised_at", "pk")[:HOME_LIMIT])
    if not flags:
        return None
    return Section("agenda/partials/_home_stale.html", {"stale_flags": flags})
