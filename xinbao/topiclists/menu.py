"""Menu entry of the topic lists: the office's and the units' reporters'."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.lib.menu import AGENDA, MAIN, MenuEntry, register
from xinbao.topiclists.access import may_read


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if may_read(user):
        # A unit's reporters on the main bar; the office with the other agenda pages.
        group = MAIN if user.unit_id is not None and user.role == Role.REPORTER else AGENDA
        yield MenuEntry(_("Reporting topics"), reverse("topiclists:index"), order=36, group=group)
