"""Menu entries of research commissions: the office's planning page, a unit's own list."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.lib.menu import AGENDA, MenuEntry, register
from xinbao.research.access import is_office, is_unit_reporter


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if is_office(user):
        yield MenuEntry(_("Research commissions"), reverse("research:plan"), order=38, group=AGENDA)
    elif is_unit_reporter(user):
        yield MenuEntry(_("Our commissions"), reverse("research:mine"), order=13)
