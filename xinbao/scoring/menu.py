"""Menu entries of scoring."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.lib.menu import SETTINGS, MenuEntry, register
from xinbao.scoring.selectors import can_configure_scoring
from xinbao.scoring.statistics import can_view_scores


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if user.role == Role.REPORTER and user.unit_id is not None:
        yield MenuEntry(_("Our scores"), reverse("scoring:unit", args=[user.unit_id]), order=14)
    if can_view_scores(user):
        yield MenuEntry(_("Scores"), reverse("scoring:dashboard"), order=50)
    if user.role == Role.SECTION_CHIEF:
        yield MenuEntry(_("Score reports"), reverse("scoring:reports"), order=51)
    if can_configure_scoring(user):
        yield MenuEntry(_("Scoring rules"), reverse("scoring:rulesets"), order=430, group=SETTINGS)
        yield MenuEntry(
            _("Ledger corrections"), reverse("scoring:ledger"), order=431, group=SETTINGS
        )
