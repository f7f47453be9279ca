"""Menu entries of the desk."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.desk.access import can_use_desk
from xinbao.lib.menu import MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_use_desk(user):
        yield MenuEntry(_("Desk"), reverse("desk:inbox"), order=20)
