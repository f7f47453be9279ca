"""Statistics of units per period: submissions, adoptions, points, instructions, timeliness.

Every metric is one grouped query over all the units at once, so a page costs the same
number of queries for 5 units as for 500. Periods are half-open: ``start <= day < end``;
datetimes are cut at local midnight (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.incidents.models import ReportRequest, RequestStatus
from xinbao.items.models import Item, ItemKind, ItemStatus
from xinbao.lib.days import office_midnight
from xinbao.org.models import Unit, UnitClass
from xinbao.periodicals.models import Instruction
from xinbao.scoring.models import ScoreEntry

PeriodKind = Literal["month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")

#: Kinds that count as quality work against plain dynamic news (SPEC §6, the quality mix).
QUALITY_KINDS = (ItemKind.ANALYSIS, ItemKind.ASSESSMENT, ItemKind.PROPOSAL)
#: Statuses of items that were never (or are no longer) submitted to the office.
NOT_SUBMITTED = (ItemStatus.DRAFT, ItemStatus.WITHDRAWN)
ZERO = Decimal("0")


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(kind: PeriodKind, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month, quarter or year containing ``day``, as ``(first day, first day after)``."""
    if kind == "month":
        start = day.replace(day=1)
        return start, add_months(start, 1)
    if kind == "quarter":
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return start, add_months(start, 3)
    if kind == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
    raise ValueError(f"unknown period kind: {kind!r}")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class UnitStats:
    """One unit's figures for one period. Shares are ``None`` where nothing was due."""

    unit: Unit
    submitted: int = 0
    quality: int = 0
    adopted: int = 0
    points: Decimal = ZERO
    instructions: int = 0
    urgent_due: int = 0
    urgent_on_time: int = 0
    rank: int = 0

    @property
    def adoption_rate(self) -> float | None:
        """Items adopted in the period over items submitted in it (may exceed 1 when items
        submitted earlier are adopted now)."""
        return _share(self.adopted, self.submitted)

    @property
    def timeliness(self) -> float | None:
        """Share of the unit's demands due in the period whose written report was on time."""
        return _share(self.urgent_on_time, self.urgent_due)

    @property
    def quality_share(self) -> float | None:
        """Share of analysis, assessment and proposal items among those submitted."""
        return _share(self.quality, self.submitted)


def _units(unit_class: UnitClass | None, unit: Unit | None = None) -> list[Unit]:
    if unit is not None:
        return [unit]
    units = Unit.objects.filter(is_active=True).select_related("unit_class")
    if unit_class is not None:
        units = units.filter(unit_class=unit_class)
    return list(units.order_by("unit_class__rank", "kind", "code"))


def _submitted(since: dt.datetime, until: dt.datetime, unit: Unit | None = None) -> QuerySet[Item]:
    """The items submitted in ``[since, until)`` (of ``unit``): one range of the index
    ``item_period_stats`` (submitted_at, unit, status, kind), read from the index alone."""
    items = Item.objects.filter(submitted_at__gte=since, submitted_at__lt=until).exclude(
        status__in=NOT_SUBMITTED
    )
    return items if unit is None else items.filter(unit=unit)


def _class_units(unit_class: UnitClass) -> set[int]:
    return set(Unit.objects.filter(unit_class=unit_class).values_list("pk", flat=True))


def unit_statistics(
    start: dt.date,
    end: dt.date,
    unit_class: UnitClass | None = None,
    *,
    unit: Unit | None = None,
) -> list[UnitStats]:
    """Figures of every active unit (of ``unit_class``, or only ``unit``) for ``[start, end)``.

    Six queries whatever the number of units: the units, then one grouped query per metric.
    """
    stats = {u.pk: UnitStats(unit=u) for u in _units(unit_class, unit)}
    ids = list(stats)
    if not ids:
        return []
    since, until = office_midnight(start), office_midnight(end)

    # The items and adoptions of the period are grouped per unit for every unit and the units
    # not listed skipped here: a unit filter in SQL would make the databases walk each unit's
    # items of all time instead of the period's range (migration 0007's indexes).
    submitted = (
        _submitted(since, until, unit)
        .values("unit_id")
        .annotate(n=Count("id"), quality=Count("id", filter=Q(kind__in=QUALITY_KINDS)))
        .order_by()
    )
    for row in submitted:
        if (s := stats.get(row["unit_id"])) is not None:
            s.submitted, s.quality = row["n"], row["quality"]

    # Each adoption's unit read from its item by key (a subquery, not a join): with a join
    # PostgreSQL may merge the period's adoptions with the whole items index.
    adopted = (
        Adoption.objects.filter(
            level=AdoptionLevel.OFFICE,
            adopted_on__gte=start,
            adopted_on__lt=end,
        )
        .annotate(
            item_unit=Subquery(
                Item.objects.filter(pk=OuterRef("item_id")).order_by().values("unit_id")
            )
        )
        .values("item_unit")
        .annotate(n=Count("item_id", distinct=True))
        .order_by()
    )
    for row in adopted:
        if (s := stats.get(row["item_unit"])) is not None:
            s.adopted = row["n"]

    points = (
        ScoreEntry.objects.filter(unit_id__in=ids, on__gte=start, on__lt=end)
        .values("unit_id")
        .annotate(total=Sum("points"))
        .order_by()
    )
    for row in points:
        stats[row["unit_id"]].points = row["total"] or ZERO

    concerned = (
        Instruction.units.through.objects.filter(
            unit_id__in=ids,
            instruction__created_at__gte=since,
            instruction__created_at__lt=until,
        )
        .values("unit_id")
        .annotate(n=Count("instruction_id"))
        .order_by()
    )
    for row in concerned:
        stats[row["unit_id"]].instructions = row["n"]

    demands = (
        ReportRequest.objects.filter(
            unit_id__in=ids, written_due_at__gte=since, written_due_at__lt=until
        )
        .exclude(status=RequestStatus.CANCELLED)
        .values("unit_id")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(reported_at__lte=F("written_due_at"))),
        )
        .order_by()
    )
    for row in demands:
        s = stats[row["unit_id"]]
        s.urgent_due, s.urgent_on_time = row["due"], row["on_time"]
    return list(stats.values())


def ranking(start: dt.date, end: dt.date, unit_class: UnitClass | None = None) -> list[UnitStats]:
    """Units by points, highest first; equal points share a rank (1, 2, 2, 4)."""
    rows = sorted(unit_statistics(start, end, unit_class), key=lambda s: (-s.points, s.unit.code))
    for i, row in enumerate(rows):
        same = i and rows[i - 1].points == row.points
        row.rank = rows[i - 1].rank if same else i + 1
    return rows


@dataclass
class Totals:
    """The sums over a list of units, for the last line of a table and the charts."""

    submitted: int = 0
    quality: int = 0
    adopted: int = 0
    points: Decimal = ZERO
    instructions: int = 0
    urgent_due: int = 0
    urgent_on_time: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def adoption_rate(self) -> float | None:
        return _share(self.adopted, self.submitted)

    @property
    def timeliness(self) -> float | None:
        return _share(self.urgent_on_time, self.urgent_due)

    @property
    def quality_share(self) -> float | None:
        return _share(self.quality, self.submitted)


def totals(rows: list[UnitStats]) -> Totals:
    t = Totals()
    for r in rows:
        t.submitted += r.submitted
        t.quality += r.quality
        t.adopted += r.adopted
        t.points += r.points
        t.instructions += r.instructions
        t.urgent_due += r.urgent_due
        t.urgent_on_time += r.urgent_on_time
    return t


def kind_mix(
    start: dt.date,
    end: dt.date,
    unit_class: UnitClass | None = None,
    *,
    unit: Unit | None = None,
) -> dict[str, int]:
    """Items submitted in ``[start, end)`` per kind, every kind present (one query)."""
    items = _submitted(office_midnight(start), office_midnight(end), unit)
    counts: dict[str, int] = {}
    if unit is None and unit_class is not None:
        # Per unit and kind, the class's units summed here (a join on the units would walk
        # each unit's items of all time instead of the period's range).
        members = _class_units(unit_class)
        rows = items.values_list("unit_id", "kind").annotate(n=Count("id")).order_by()
        for unit_id, kind, n in rows:
            if unit_id in members:
                counts[kind] = counts.get(kind, 0) + n
    else:
        counts = dict(items.values_list("kind").annotate(n=Count("id")).order_by())
    return {str(kind): counts.get(kind, 0) for kind in ItemKind}


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date
    points: Decimal
    submitted: int


def trend(
    unit: Unit | None = None,
    months: int = 12,
    *,
    until: dt.date | None = None,
    unit_class: UnitClass | None = None,
) -> list[MonthPoint]:
    """Points and submissions per month, for the ``months`` months ending with ``until``'s.

    Two queries. Points are summed per day (a GROUP BY on the indexed date itself, which
    both databases walk in index order) and the days folded into months here: truncating
    dates in SQL would run a Python function per row on SQLite. Submissions are counted per
    month with filtered aggregates over one pass.
    """
    last = (until or timezone.localdate()).replace(day=1)
    firsts = [add_months(last, i) for i in range(1 - months, 1)]
    bounds = [(m, add_months(m, 1)) for m in firsts]

    entries = ScoreEntry.objects.filter(on__gte=firsts[0], on__lt=bounds[-1][1])
    items = _submitted(office_midnight(firsts[0]), office_midnight(bounds[-1][1]), unit)
    members: set[int] | None = None
    if unit is not None:
        entries = entries.filter(unit=unit)
    elif unit_class is not None:
        entries = entries.filter(unit__unit_class=unit_class)
        members = _class_units(unit_class)
    point_sums: dict[dt.date, Decimal] = dict.fromkeys(firsts, ZERO)
    for day, total in entries.values_list("on").annotate(total=Sum("points")).order_by():
        point_sums[day.replace(day=1)] += total or ZERO
    per_month = {
        f"m{i}": Count(
            "id",
            filter=Q(submitted_at__gte=office_midnight(a), submitted_at__lt=office_midnight(b)),
        )
        for i, (a, b) in enumerate(bounds)
    }
    counts: dict[str, int] = dict.fromkeys(per_month, 0)
    if members is None:
        counts.update(items.aggregate(**per_month))
    else:
        # Per unit, the class's units summed here (see kind_mix).
        for row in items.values("unit_id").annotate(**per_month).order_by():
            if row["unit_id"] in members:
                for key in per_month:
                    counts[key] += row[key] or 0
    return [
        MonthPoint(month=m, points=point_sums[m], submitted=counts[f"m{i}"] or 0)
        for i, m in enumerate(firsts)
    ]


#: Office roles that see every unit's statistics; a reporter sees only their own unit's.
SCORE_VIEWER_ROLES = frozenset(
    {Role.EDITOR, Role.SECTION_CHIEF, Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER}
)


def can_view_scores(user: User) -> bool:
    return user.role in SCORE_VIEWER_ROLES


def access_unit(user: User, pk: int) -> Unit:
    """The unit whose statistics ``user`` asks for; 404 for a unit they may not see."""
    if can_view_scores(user):
        return get_object_or_404(Unit.objects.select_related("unit_class"), pk=pk)
    if user.role == Role.REPORTER and user.unit_id == pk:
        return Unit.objects.select_related("unit_class").get(pk=pk)
    raise Http404
