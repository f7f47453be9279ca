"""The menu entry of collection."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.lib.menu import MenuEntry, register
from xinbao.monitor.access import can_read


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_read(user):
        yield MenuEntry(_("Collection"), reverse("monitor:posts"), order=35)
