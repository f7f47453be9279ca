"""Menu entry of inbound messages, for the office roles that review them."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.inbound.services import REVIEWERS
from xinbao.lib.menu import MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if user.role in REVIEWERS:
        yield MenuEntry(_("Inbound messages"), reverse("inbound:list"), order=25)
