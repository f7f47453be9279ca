"""Menu entries: a leader's interests (and requests); the office's requests and marks."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.interests.services import is_handler, is_leader
from xinbao.lib.menu import AGENDA, MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if is_leader(user):
        yield MenuEntry(_("My interests"), reverse("interests:mine"), order=5)
        yield MenuEntry(_("My requests"), reverse("interests:requests"), order=6, group=AGENDA)
    elif is_handler(user):
        yield MenuEntry(
            _("Leaders' requests"), reverse("interests:requests"), order=38, group=AGENDA
        )
        yield MenuEntry(_("Leaders' marks"), reverse("interests:marks"), order=39, group=AGENDA)
