"""The agenda's panels: on the desk's item page, the priorities the item is matched to, with a
button to take a wrong match off and a choice of active priorities to add it to; on the item's
own page, for the section and the leaders, the priorities it follows (read only)."""

from __future__ import annotations

from typing import Any

from xinbao.accounts.models import User
from xinbao.agenda.models import Priority, PriorityMatch
from xinbao.agenda.services import can_manage, can_read
from xinbao.lib.panels import Panel, register


@register(kind="desk_item", order=50)
def desk_item(user: User, item: Any) -> Panel | None:
    if not can_manage(user) or item.submitted_at is None:
        return None
    matches = list(
        PriorityMatch.objects.filter(item=item, removed_at=None)
        .select_related("priority")
        .order_by("priority__title")
    )
    taken = {m.priority_id for m in matches}
    choices = [
        p for p in Priority.objects.filter(active=True).order_by("title") if p.pk not in taken
    ]
    return Panel(
        "agenda/partials/_desk_panel.html",
        {"item": item, "agenda_matches": matches, "agenda_choices": choices},
    )


@register(kind="item", order=50)
def item(user: User, item: Any) -> Panel | None:
    if not can_read(user):
        return None
    matches = list(
        PriorityMatch.objects.filter(item=item, removed_at=None)
        .select_related("priority")
        .order_by("priority__title")
    )
    if not matches:
        return None
    return Panel("agenda/partials/_item_panel.html", {"agenda_matches": matches})
