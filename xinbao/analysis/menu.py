"""Menu entries of the analysis pages."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.analysis.access import can_set_targets, can_view
from xinbao.lib.menu import AGENDA, SETTINGS, MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_view(user):
        yield MenuEntry(_("Breadth"), reverse("analysis:matrix"), order=62, group=AGENDA)
        yield MenuEntry(_("Office's own mix"), reverse("analysis:mix"), order=63, group=AGENDA)
        yield MenuEntry(
            _("Proposals followed"), reverse("analysis:proposals"), order=64, group=AGENDA
        )
    if can_set_targets(user):
        yield MenuEntry(_("Mix targets"), reverse("analysis:targets"), order=64, group=SETTINGS)
