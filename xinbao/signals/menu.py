"""Menu entry of the early signals."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.lib.menu import MenuEntry, register
from xinbao.signals.access import can_handle_signals


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_handle_signals(user):
        yield MenuEntry(_("Early signals"), reverse("signals:list"), order=36)
