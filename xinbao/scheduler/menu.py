"""Menu entry of the scanner's page."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.lib.menu import SETTINGS, MenuEntry, register
from xinbao.scheduler.selectors import can_see_chores


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_see_chores(user):
        yield MenuEntry(_("Scheduled jobs"), reverse("scheduler:chores"), order=510, group=SETTINGS)
