"""Panels on other apps' pages: the leader's mark on an item or an issue (a phone-sized form),
the leaders' marks on an item at the desk, and the marks per unit beside the scores."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.interests.forms import MarkForm
from xinbao.interests.models import Mark
from xinbao.interests.selectors import mark_stats
from xinbao.interests.services import is_handler, is_leader
from xinbao.items.models import Item
from xinbao.lib.panels import Panel, register
from xinbao.periodicals.models import Issue


@register(kind="item", order=50)
def item_mark(user: User, item: Item) -> Panel | None:
    if not is_leader(user):
        return None
    mark = Mark.objects.filter(leader=user, item=item).first()
    return Panel(
        "interests/partials/_mark.html",
        {
            "mark": mark,
            "form": MarkForm(initial={"note": mark.note if mark else ""}),
            "action": reverse("interests:mark_item", args=[item.pk]),
            "next": reverse("items:detail", args=[item.pk]),
        },
    )


@register(kind="issue", order=50)
def issue_mark(user: User, issue: Issue) -> Panel | None:
    if not is_leader(user):
        return None
    mark = Mark.objects.filter(leader=user, issue=issue).first()
    return Panel(
        "interests/partials/_mark.html",
        {
            "mark": mark,
            "form": MarkForm(initial={"note": mark.note if mark else ""}),
            "action": reverse("interests:mark_issue", args=[issue.pk]),
            "next": reverse("periodicals:reading_issue", args=[issue.pk]),
        },
    )


@register(kind="desk_item", order=50)
def desk_marks(user: User, item: Item) -> Panel | None:
    if not is_handler(user):
        return None
    marks = list(Mark.objects.filter(item=item).select_related("leader").order_by("-updated_at"))
    if not marks:
        return None
    return Panel("interests/partials/_desk_marks.html", {"marks": marks})


@register(kind="scoring", order=50)
def scoring_marks(user: User, period: Any) -> Panel | None:
    """Beside the scores of a period: how the leaders judged each unit's information (the
    marks feed the units' quality statistics)."""
    if not (is_handler(user) or is_leader(user)):
        return None
    stats = mark_stats(period.start, period.last_day)
    return Panel(
        "interests/partials/_scoring_marks.html",
        {
            "units": stats.units,
            "start": period.start,
            "end": period.last_day,
            "office": is_handler(user),
        },
    )
