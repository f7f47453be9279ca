"""A reporter's month on the home page: quota progress, the quarter's score and rank of their
unit (the instructions it has to answer are periodicals' section, ``waiting_for_feedback``).

Figures count as the scoring statistics count them (``xinbao.scoring.statistics``): an item
counts in the month it was submitted (Asia/Shanghai) unless it is a draft or was withdrawn; an
adoption counts in the month of its date, at the office's level, once per item; a unit's rank
is its place by points among the active units of its class, equal points sharing a rank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.desk.models import AdoptionLevel
from xinbao.items.models import Item
from xinbao.lib.days import office_midnight
from xinbao.org.models import Unit
from xinbao.scoring.statistics import NOT_SUBMITTED, period_bounds


@dataclass(frozen=True)
class ReporterMonth:
    """One unit's month and quarter as its reporter sees them on the home page."""

    unit: Unit
    today: dt.date
    month: dt.date
    #: Items the unit's class owes a month, and adoptions it is expected to earn (0: none set).
    quota: int
    adoption_quota: int
    submitted: int
    adopted: int
    quarter: dt.date
    points: Decimal
    #: The unit's rank among the ``class_size`` active units of its class; None when retired.
    rank: int | None
    class_size: int

    @property
    def submitted_percent(self) -> int:
        return _percent(self.submitted, self.quota)

    @property
    def adopted_percent(self) -> int:
        return _percent(self.adopted, self.adoption_quota)


def _percent(part: int, whole: int) -> int:
    return min(100, round(100 * part / whole)) if whole else 0


def reporter_month(user: User, today: dt.date | None = None) -> ReporterMonth | None:
    """The month of ``user``'s unit (None for a user without one). Three queries."""
    if not user.is_reporter or user.unit_id is None:
        return None
    today = today or timezone.localdate()
    unit = Unit.objects.select_related("unit_class").get(pk=user.unit_id)
    month, next_month = period_bounds("month", today)
    quarter, next_quarter = period_bounds("quarter", today)

    in_month = Q(
        submitted_at__gte=office_midnight(month), submitted_at__lt=office_midnight(next_month)
    )
    adopted_in_month = Q(
        adoptions__level=AdoptionLevel.OFFICE,
        adoptions__adopted_on__gte=month,
        adoptions__adopted_on__lt=next_month,
    )
    counts = Item.objects.filter(unit=unit).aggregate(
        submitted=Count("id", filter=in_month & ~Q(status__in=NOT_SUBMITTED), distinct=True),
        adopted=Count("id", filter=adopted_in_month, distinct=True),
    )

    in_quarter = Q(score_entries__on__gte=quarter, score_entries__on__lt=next_quarter)
    points = dict(
        Unit.objects.filter(is_active=True, unit_class=unit.unit_class_id)
        .annotate(total=Sum("score_entries__points", filter=in_quarter))
        .values_list("pk", "total")
    )
    ours = points.get(unit.pk) or Decimal("0")
    rank = None
    if unit.pk in points:
        rank = 1 + sum(1 for total in points.values() if (total or 0) > ours)
    return ReporterMonth(
        unit=unit,
        today=today,
        month=month,
        quota=unit.unit_class.quota_per_month,
        adoption_quota=unit.unit_class.adoptions_per_month,
        submitted=counts["submitted"],
        adopted=counts["adopted"],
        quarter=quarter,
        points=ours,
        rank=rank,
        class_size=len(points),
    )
