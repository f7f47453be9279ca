"""Menu entries of accounts: home, users, the personal entries."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.accounts.permissions import can_manage_users
from xinbao.lib.menu import PERSONAL, SETTINGS, MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    yield MenuEntry(_("Home"), reverse("home"), order=0)
    if can_manage_users(user):
        yield MenuEntry(_("Users"), reverse("accounts:user_list"), order=320, group=SETTINGS)
    if user.is_security_admin:
        yield MenuEntry(
            _("Clearances"), reverse("accounts:clearance_list"), order=325, group=SETTINGS
        )
    yield MenuEntry(_("API tokens"), reverse("accounts:token_list"), order=920, group=PERSONAL)
    yield MenuEntry(
        _("Change password"), reverse("accounts:password_change"), order=930, group=PERSONAL
    )
