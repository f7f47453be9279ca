"""Who may use the desk, and the permission-checked getters its views use.

The desk is a page for editors and section chiefs only: any other role gets 403 before any
object is looked up, so a reporter learns nothing about which ids exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.accounts.permissions import DESK_ROLES as DESK_ROLES
from xinbao.accounts.permissions import can_use_desk as can_use_desk
from xinbao.items.access import visible_items
from xinbao.items.models import Item, ItemStatus

#: Statuses the desk never lists: the unit still holds these.
UNSENT = (ItemStatus.DRAFT, ItemStatus.WITHDRAWN)


def require_desk(user: User) -> None:
    """403 for every role but the desk's."""
    if not can_use_desk(user):
        raise PermissionDenied(_("Only editors and section chiefs use the desk."))


def desk_items(user: User) -> QuerySet[Item]:
    """Items the desk works on: everything units have sent, never drafts."""
    require_desk(user)
    return visible_items(user).exclude(status__in=UNSENT)


def access_desk_item(user: User, pk: int) -> Item:
    try:
        return desk_items(user).select_related("unit").get(pk=pk)
    except Item.DoesNotExist:
        raise Http404 from None
