"""Home-page section of reference packs: for a leader, the delivered packs they have not opened
yet, the soonest occasion first; shown only when there are any."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.lib.home import HOME_LIMIT, Section, register
from xinbao.packs.access import is_leader
from xinbao.packs.models import Pack, PackState


@register(25)
def to_read(user: User) -> Section | None:
    if not is_leader(user):
        return None
    packs = list(
        Pack.objects.filter(recipients=user, state=PackState.DELIVERED)
        .exclude(receipts__user=user)
        .order_by("occasion_at", "pk")[:HOME_LIMIT]
    )
    if not packs:
        return None
    return Section("packs/partials/_home_to_read.html", {"packs_to_read": packs})
