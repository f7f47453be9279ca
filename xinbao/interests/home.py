"""Home-page section of a leader: the items for their interests, first on the page, with why
they matched; shown only when there are any."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.interests import selectors
from xinbao.interests.services import is_leader
from xinbao.lib.home import HOME_LIMIT, Section, register


@register(5)
def for_your_interests(user: User) -> Section | None:
    if not is_leader(user):
        return None
    rows = selectors.served(user, limit=HOME_LIMIT)
    if not rows:
        return None
    return Section("interests/partials/_home.html", {"served_rows": rows})
