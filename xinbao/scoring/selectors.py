"""Reads of the configuration screens, behind the section chief's permission."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from xinbao.accounts.models import Role, User
from xinbao.accounts.permissions import require
from xinbao.org.models import Unit
from xinbao.scoring.models import RuleSet, ScoreEntry

#: How many ledger lines one page of the corrections screen shows.
LEDGER_LINES = 100


def can_configure_scoring(user: User) -> bool:
    """The section chief keeps the rules and corrects the ledger."""
    return user.role == Role.SECTION_CHIEF


def access_ruleset(user: User, pk: int) -> RuleSet:
    require(can_configure_scoring(user))
    return get_object_or_404(RuleSet, pk=pk)


def access_entry(user: User, pk: int) -> ScoreEntry:
    require(can_configure_scoring(user))
    return get_object_or_404(
        ScoreEntry.objects.select_related("unit", "via", "rule__ruleset", "reverses"), pk=pk
    )


def ledger_entries(start: dt.date, end: dt.date, unit: Unit | None) -> QuerySet[ScoreEntry]:
    """The entries dated in ``[start, end)``, of one unit (its own and its counties' copies)
    or of all, newest first (``-on, -id``: the keyset of the screen's pages, served by the
    indexes ``score_ledger_order`` and ``score_unit_ledger_order``), with whether each has been
    corrected."""
    entries = ScoreEntry.objects.filter(on__gte=start, on__lt=end)
    if unit is not None:
        entries = entries.filter(unit=unit)
    return entries.select_related("unit", "via", "rule", "reversed_by").order_by("-on", "-id")
