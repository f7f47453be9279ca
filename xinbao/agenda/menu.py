"""Menu entry of the agenda: the information section and the leaders."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.agenda.services import can_read
from xinbao.lib.menu import AGENDA, MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_read(user):
        yield MenuEntry(_("Priorities"), reverse("agenda:list"), order=38, group=AGENDA)
