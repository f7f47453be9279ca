"""Who sees the agenda: the information section (who also edits) and the leaders; anyone else a
403. Objects are fetched only through these getters (a missing one is a 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinbao.accounts.models import User
from xinbao.accounts.permissions import require
from xinbao.agenda.models import Milestone, Priority, PriorityMatch, StaleFlag
from xinbao.agenda.services import can_manage, can_read
from xinbao.items.access import visible_items


def visible_priorities(user: User) -> QuerySet[Priority]:
    require(can_read(user))
    return Priority.objects.select_related("owner")


def access_priority(user: User, pk: int) -> Priority:
    found = visible_priorities(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def editable_priority(user: User, pk: int) -> Priority:
    require(can_manage(user))
    return access_priority(user, pk)


def editable_milestone(user: User, pk: int) -> Milestone:
    require(can_manage(user))
    found = Milestone.objects.select_related("priority").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def editable_match(user: User, pk: int) -> PriorityMatch:
    require(can_manage(user))
    found = PriorityMatch.objects.select_related("priority").filter(pk=pk).first()
    # A match of an item the user may not see is as missing as the item.
    if found is None or not visible_items(user).filter(pk=found.item_id).exists():
        raise Http404
    return found


def editable_flag(user: User, pk: int) -> StaleFlag:
    require(can_manage(user))
    found = StaleFlag.objects.select_related("priority").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
