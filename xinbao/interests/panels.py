"""Panels on other apps' pages: the leader's mark on an item or an issue (a phone-sized form),
and the leaders' marks on an item at the desk."""

from __future__ import annotations

from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.interests.forms import MarkForm
from xinbao.interests.models import Mark
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
