"""The help menu's entry: the user manual, for everyone signed in."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.lib.menu import HELP, MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    yield MenuEntry(_("User manual"), reverse("help:index"), order=900, group=HELP)
