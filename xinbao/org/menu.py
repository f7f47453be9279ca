"""Menu entries of the reporting network."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.accounts.permissions import can_manage_org
from xinbao.lib.menu import SETTINGS, MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_manage_org(user):
        yield MenuEntry(_("Units"), reverse("org:unit_list"), order=300, group=SETTINGS)
        yield MenuEntry(_("People"), reverse("org:person_list"), order=301, group=SETTINGS)
        yield MenuEntry(_("Import"), reverse("org:import"), order=302, group=SETTINGS)
