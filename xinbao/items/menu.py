"""Menu entries of items: writing and the lists of items."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.lib.menu import MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if user.role == Role.REPORTER:
        yield MenuEntry(_("New item"), reverse("items:create"), order=10)
        yield MenuEntry(_("Our items"), reverse("items:list"), order=11)
        yield MenuEntry(_("Search"), reverse("items:search"), order=12)
    if user.is_office_reader:
        yield MenuEntry(_("Inbox"), reverse("items:list"), order=10)
        if user.role in (Role.DUTY_OFFICER, Role.EDITOR):
            yield MenuEntry(_("New item"), reverse("items:create"), order=11)
        yield MenuEntry(_("Search"), reverse("items:search"), order=12)
