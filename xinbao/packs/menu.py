"""Menu entries of reference packs: the section's list, and the leader's own packs."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.lib.menu import AGENDA, MenuEntry, register
from xinbao.packs.access import can_build, is_leader


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_build(user):
        yield MenuEntry(_("Reference packs"), reverse("packs:list"), order=36, group=AGENDA)
    elif is_leader(user):
        yield MenuEntry(_("My reference packs"), reverse("packs:mine"), order=12, group=AGENDA)
