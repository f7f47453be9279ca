"""The panel research adds to an item's own page (``items:detail``): the commissions the item
answers and, for a reporter of its unit, a button per open commission of the unit to link it
(the way back after writing a new item for a commission)."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.items.models import Item
from xinbao.lib.panels import Panel, register
from xinbao.research.access import is_office, is_unit_reporter
from xinbao.research.models import Answer, Assignment, CommissionState
from xinbao.research.services import ANSWERING_STATUSES


@register(kind="item", order=65)
def answered_commissions(user: User, item: Item) -> Panel | None:
    own = is_unit_reporter(user) and item.unit_id == user.unit_id
    if not (own or is_office(user)):
        return None
    answers = list(
        Answer.objects.filter(item=item)
        .exclude(assignment__commission__state=CommissionState.DRAFT)
        .select_related("assignment__commission")
        .order_by("-at")
    )
    offered: list[Assignment] = []
    if own and item.status in ANSWERING_STATUSES:
        taken = {a.assignment_id for a in answers}
        offered = [
            a
            for a in Assignment.objects.filter(
                unit_id=item.unit_id, commission__state=CommissionState.SENT
            )
            .select_related("commission")
            .order_by("commission__due_on")
            if a.pk not in taken
        ]
    if not answers and not offered:
        return None
    return Panel(
        "research/partials/_item_panel.html",
        {"item": item, "answers": answers, "offered": offered},
    )
