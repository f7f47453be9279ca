"""A reporter's month on the home page: quota progress, instructions to answer, the quarter's
score and rank of their unit.

Figures count as the scoring statistics count them (``xinbao.scoring.statistics``): an item
counts in the month it was submitted (Asia/Shanghai) unless it is a draft or was withdrawn; an
adoption counts in the month of its date, at the office's level, once per item; a unit's rank
is its place by points among the active units of its class, equal points sharing a rank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.desk.models import AdoptionLevel
from xinbao.items.models import Item
from xinbao.org.models import Unit
from xinbao.periodicals.models import Instruction
from xinbao.periodicals.selectors import to_answer
from xinbao.scoring.statistics import NOT_SUBMITTED, period_bounds

#: The most instructions listed; the rest are on the instructions page.
INSTRUCTION_LIMIT = 10


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
    #: Open instructions sent to the unit that it has not answered, earliest deadline first.
    instructions: list[Instruction] = field(default_factory=list)

    @property
    def submitted_percent(self) -> int:
        return _percent(self.submitted, self.quota)

    @property
    def adopted_percent(self) -> int:
        return _percent(self.adopted, self.adoption_quota)


def _percent(part: int, whole: int) -> int:
    return min(100, round(100 * part / whole)) if whole else 0


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def reporter_month(user: User, today: dt.date | None = None) -> ReporterMonth | None:
    """The month of ``user``'s unit (None for a user without one). Four queries."""
    if not user.is_reporter or user.unit_id is None:
        return None
    today = today or timezone.localdate()
    unit = Unit.objects.select_related("unit_class").get(pk=user.unit_id)
    month, next_month = period_bounds("month", today)
    quarter, next_quarter = period_bounds("quarter", today)

    in_month = Q(submitted_at__gte=_midnight(month), submitted_at__lt=_midnight(next_month))
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

    waiting = to_answer(user).exclude(feedback__unit=unit.pk)[:INSTRUCTION_LIMIT]
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
        instructions=list(waiting),
    )
