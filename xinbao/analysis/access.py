"""Who may use the analysis pages: a role outside them gets a 403 with the reason; an item is
fetched through ``items.access`` (another unit's or a higher label's: 404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.analysis.models import MixTarget
from xinbao.analysis.services import EDIT_ROLES, TARGET_ROLES, VIEW_ROLES
from xinbao.items.access import access_item
from xinbao.items.models import Item


def can_view(user: User) -> bool:
    return user.is_authenticated and user.role in VIEW_ROLES


def can_edit(user: User) -> bool:
    return user.is_authenticated and user.role in EDIT_ROLES


def can_set_targets(user: User) -> bool:
    return user.is_authenticated and user.role in TARGET_ROLES


def require_view(user: User) -> None:
    if not can_view(user):
        raise PermissionDenied(_("Only the information section and the leaders see the analysis."))


def require_edit(user: User) -> None:
    if not can_edit(user):
        raise PermissionDenied(_("Only editors and the section chief change this."))


def require_targets(user: User) -> None:
    if not can_set_targets(user):
        raise PermissionDenied(_("Only the section chief sets the office's targets."))


def access_item_to_edit(user: User, pk: int) -> Item:
    require_edit(user)
    return access_item(user, pk)


def access_item_to_view(user: User, pk: int) -> Item:
    require_view(user)
    return access_item(user, pk)


def access_target(user: User, pk: int) -> MixTarget:
    require_targets(user)
    try:
        return MixTarget.objects.get(pk=pk)
    except MixTarget.DoesNotExist:
        raise Http404 from None
