"""Permission-checked getters: the only way views and the API fetch items.

A user who may not see an object gets ``Http404``, never a hint that it exists. That includes
an item or an attachment labelled above the user's clearance (``xinbao.lib.labels``): it is
absent from every list and a 404 on every page, exactly as another unit's item is.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xinbao.accounts.models import ADMIN_ROLES, User
from xinbao.items.models import Attachment, Item, ItemStatus


def _reporter_parts(unit_id: int) -> tuple[Q, Q]:
    """A reporter's rule, in two parts: the unit's own items, and those of other units that
    credit the reporter's unit as a joint unit once submitted (a draft is its unit's own).

    The joint items through a subquery rather than a join: no DISTINCT, so the unit's index
    serves the list's order and a page reads a page of rows (not every row sorted).
    """
    credited = Item.joint_units.through.objects.filter(unit_id=unit_id)
    own = Q(unit_id=unit_id)
    joint = Q(pk__in=credited.values("item_id")) & ~Q(status=ItemStatus.DRAFT)
    return own, joint


def _within_clearance(user: User) -> QuerySet[Item]:
    return Item.objects.filter(sensitivity__lte=user.clearance_level)


def visible_items(user: User) -> QuerySet[Item]:
    """Items the user may see.

    A reporter sees every item of their own unit, and those of other units that credit
    theirs as a joint unit once submitted (a draft is its unit's own); office readers see
    everything that has been sent (never others' drafts); everyone sees what they wrote.
    Whatever the role, never an item labelled above the user's clearance.
    """
    qs = _within_clearance(user)
    if user.is_reporter and user.unit_id is not None:
        own, joint = _reporter_parts(user.unit_id)
        return qs.filter(own | joint)
    if user.is_office_reader:
        return qs.filter(~Q(status=ItemStatus.DRAFT) | Q(created_by=user))
    return qs.filter(created_by=user)


def visible_item_parts(user: User) -> list[QuerySet[Item]]:
    """:func:`visible_items` as parts whose union is exactly it, each served by one index.

    A reporter's items are the unit's own or those crediting the unit as a joint unit: an OR
    that no single index serves in the lists' order, so a list sorts every item of the unit.
    As two parts (the same rule as ``visible_items``, split at its OR), a keyset page
    (``xinbao.lib.pagination.paginate``) reads each through its own index and merges them.
    Every other role has one part, ``visible_items`` itself.
    """
    if user.is_reporter and user.unit_id is not None:
        qs = _within_clearance(user)
        return [qs.filter(part) for part in _reporter_parts(user.unit_id)]
    return [visible_items(user)]


def visible_item_exists(user: User, ref: str = "item_id") -> Exists:
    """The outer row's item (its column ``ref``) is one ``user`` may see, for ``filter()``.

    EXISTS per row, its item looked up by key: ``item__in=visible_items(user)`` made the
    databases list every visible item first, a scan of the items at 10^6.
    """
    return Exists(visible_items(user).filter(pk=OuterRef(ref)))


def refuse_administrators(user: User) -> None:
    """The three administrators read no items (三员分立): their lists answer 403, not an empty
    page that looks like an office without reports."""
    if user.role in ADMIN_ROLES:
        raise PermissionDenied(_("Administrators do not read items."))


def access_item(user: User, pk: int) -> Item:
    try:
        return visible_items(user).get(pk=pk)
    except Item.DoesNotExist:
        raise Http404 from None


def visible_attachments(user: User, item: Item) -> QuerySet[Attachment]:
    """The attachments of an item the user may see that are within the user's clearance."""
    return item.attachments.filter(sensitivity__lte=user.clearance_level)


def access_attachment(user: User, item_pk: int, pk: int) -> Attachment:
    item = access_item(user, item_pk)
    try:
        return visible_attachments(user, item).get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
