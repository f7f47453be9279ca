"""Menu entries of the working calendar."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.lib.menu import SETTINGS, MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if user.role == Role.SYSTEM_ADMIN:
        yield MenuEntry(
            _("Working calendar"), reverse("calendar:calendar"), order=410, group=SETTINGS
        )
