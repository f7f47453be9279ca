"""Menu entry of the partner leads: the office's inbox, or the liaison's own page."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.liaison.access import is_liaison, is_office
from xinbao.lib.menu import MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if is_office(user):
        yield MenuEntry(_("Partner leads"), reverse("liaison:inbox"), order=37)
    elif is_liaison(user):
        yield MenuEntry(_("Partner leads"), reverse("liaison:mine"), order=10)
