"""The reads of the analysis pages: the items counted, the matrix, the monthly series, the
office's mix and the proposals followed. Every list starts from ``visible_items(user)`` so that
nothing above a reader's clearance or outside their reach is counted or shown."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from xinbao.accounts.models import OFFICE_READER_ROLES, User
from xinbao.analysis.breadth import local_names
from xinbao.analysis.models import (
    AXES,
    MIX_KINDS,
    Horizon,
    MixTarget,
    Region,
    Sphere,
    Uptake,
)
from xinbao.desk.models import Adoption
from xinbao.items.access import visible_item_exists, visible_items
from xinbao.items.models import Item, ItemKind, ItemStatus
from xinbao.lib.days import office_midnight
from xinbao.org.models import OfficeProfile, Term, TermKind, Unit

#: Items that are not (or no longer) information the office has: never placed or counted.
NOT_COUNTED = (ItemStatus.DRAFT, ItemStatus.WITHDRAWN)
#: A cell is thin below this share of an even spread of the period's items over the cells.
THIN_SHARE = 0.5
#: Months in a trend chart.
TREND_MONTHS = 12
#: Rows the placing chore takes per run.
PLACE_BATCH = 200


# --- placements ------------------------------------------------------------------------------


#: The statuses of a sent item (every one but a draft's and a withdrawn one's).
SENT = tuple(status for status in ItemStatus.values if status not in NOT_COUNTED)
#: How far back the placing chore looks: items sent earlier than this and never placed (the
#: scanner stopped longer) are placed when an editor corrects them, or by ``place_missing``.
PLACE_WINDOW = dt.timedelta(days=7)


def placeable_items() -> QuerySet[Item]:
    return Item.objects.filter(status__in=SENT, submitted_at__isnull=False)


def unplaced_ids(limit: int = PLACE_BATCH, since: dt.datetime | None = None) -> list[int]:
    """The placing chore's cursor: items sent within ``PLACE_WINDOW`` (or since ``since``)
    without a placement, oldest first. Bounded by the window, so that the check every minute
    reads the last days' items through the (status, submitted_at) index, not every item ever
    sent."""
    since = since if since is not None else timezone.now() - PLACE_WINDOW
    rows = (
        placeable_items()
        .filter(submitted_at__gte=since, placement__isnull=True)
        .order_by("submitted_at", "pk")
    )
    return list(rows.values_list("pk", flat=True)[:limit])


def local_places() -> frozenset[str]:
    """The places of the office's network: its units' names and addresses, the city, and the
    dictionary's place names (kept whole as well, a name without its level included)."""
    texts: list[str] = []
    for name, short, address in Unit.objects.values_list("name", "short_name", "address"):
        texts += [name, short, address]
    profile = OfficeProfile.objects.filter(pk=OfficeProfile.SINGLETON_PK).first()
    if profile is not None:
        texts.append(profile.city)
    terms = list(Term.objects.filter(kind=TermKind.PLACE).values_list("text", flat=True))
    return local_names(texts + terms) | frozenset(t for t in terms if len(t) >= 2)


# --- the matrix ------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def counted_items(
    user: User, *, start: dt.date, end: dt.date, unit_class: int | None = None
) -> QuerySet[Item]:
    """The items of a period (sent from ``start`` to ``end``, Shanghai days, both included)
    the user may see; an item merged into a comprehensive one is counted in that one."""
    qs = (
        visible_items(user)
        .exclude(status__in=(*NOT_COUNTED, ItemStatus.MERGED))
        .filter(
            submitted_at__gte=office_midnight(start),
            submitted_at__lt=office_midnight(end + dt.timedelta(1)),
        )
    )
    if unit_class is not None:
        qs = qs.filter(unit__unit_class_id=unit_class)
    return qs


Cell = tuple[str, str, str]
K = TypeVar("K")


@dataclass(frozen=True)
class View2:
    """A two-way view of the matrix: two axes, four cells."""

    rows_axis: str
    cols_axis: str
    rows: list[tuple[str, str]]
    cols: list[tuple[str, str]]
    counts: dict[tuple[str, str], int]
    thin: frozenset[tuple[str, str]]

    def table(self) -> list[tuple[str, list[tuple[str, str, int, bool]]]]:
        """Rows of (label, [(row value, column value, count, thin)]) for the template."""
        return [
            (
                rlabel,
                [(r, c, self.counts.get((r, c), 0), (r, c) in self.thin) for c, _l in self.cols],
            )
            for r, rlabel in self.rows
        ]


@dataclass(frozen=True)
class Matrix:
    cells: dict[Cell, int]
    total: int
    unplaced: int
    thin: frozenset[Cell]
    views: list[View2] = field(default_factory=list)

    def rows(self) -> list[tuple[Cell, list[str], int, bool]]:
        """The eight cells with their labels, count and whether thin."""
        out = []
        for h in Horizon:
            for s in Sphere:
                for r in Region:
                    cell = (h.value, s.value, r.value)
                    out.append(
                        (
                            cell,
                            [str(h.label), str(s.label), str(r.label)],
                            self.cells.get(cell, 0),
                            cell in self.thin,
                        )
                    )
        return out


def _thin(counts: Mapping[K, int], keys: list[K]) -> frozenset[K]:
    total = sum(counts.values())
    if total == 0:
        return frozenset()
    even = total / len(keys)
    return frozenset(k for k in keys if counts.get(k, 0) < THIN_SHARE * even)


def matrix(items: QuerySet[Item]) -> Matrix:
    """The eight cells' counts of ``items``, the thin cells and the three two-way views."""
    cells: dict[Cell, int] = {}
    rows = (
        items.filter(placement__isnull=False)
        .order_by()
        .values_list("placement__horizon", "placement__sphere", "placement__region")
        .annotate(n=Count("pk"))
    )
    for h, s, r, n in rows:
        cells[(h, s, r)] = n
    unplaced = items.filter(placement__isnull=True).count()
    keys: list[Cell] = [
        (h, s, r) for h in Horizon.values for s in Sphere.values for r in Region.values
    ]
    thin: frozenset[Cell] = _thin(cells, keys)
    views = []
    index = {name: i for i, (name, _c) in enumerate(AXES)}
    for a, b in (("horizon", "sphere"), ("horizon", "region"), ("sphere", "region")):
        choices_a, choices_b = dict(AXES)[a], dict(AXES)[b]
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for cell, n in cells.items():
            counts[(cell[index[a]], cell[index[b]])] += n
        pairs = [(x, y) for x in choices_a.values for y in choices_b.values]
        views.append(
            View2(
                rows_axis=a,
                cols_axis=b,
                rows=[(str(v), str(label)) for v, label in choices_a.choices],
                cols=[(str(v), str(label)) for v, label in choices_b.choices],
                counts=dict(counts),
                thin=_thin(counts, pairs),
            )
        )
    return Matrix(cells=cells, total=sum(cells.values()), unplaced=unplaced, thin=thin, views=views)


def months(end: dt.date, count: int = TREND_MONTHS) -> list[dt.date]:
    last = month_start(end)
    return [add_months(last, i - count + 1) for i in range(count)]


def trend(user: User, *, end: dt.date, unit_class: int | None = None) -> dict[str, Any]:
    """Per month (the last ``TREND_MONTHS`` up to ``end``'s): the items placed and the share
    (%) of the side each axis is usually thin on: early signs, daily life, outside."""
    span = months(end)
    items = counted_items(
        user, start=span[0], end=add_months(span[-1], 1) - dt.timedelta(1), unit_class=unit_class
    )
    rows = (
        items.filter(placement__isnull=False)
        .annotate(month=TruncMonth("submitted_at"))
        .order_by()
        .values_list("month", "placement__horizon", "placement__sphere", "placement__region")
        .annotate(n=Count("pk"))
    )
    total: Counter[dt.date] = Counter()
    side: dict[str, Counter[dt.date]] = {
        "early_sign": Counter(),
        "daily_life": Counter(),
        "outside": Counter(),
    }
    for month, h, s, r, n in rows:
        key = timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        total[key] += n
        for value in (h, s, r):
            if value in side:
                side[value][key] += n

    def share(counter: Counter[dt.date], m: dt.date) -> float:
        return round(100 * counter[m] / total[m], 1) if total[m] else 0.0

    return {
        "months": [m.strftime("%Y-%m") for m in span],
        "totals": [total[m] for m in span],
        "early_sign": [share(side["early_sign"], m) for m in span],
        "daily_life": [share(side["daily_life"], m) for m in span],
        "outside": [share(side["outside"], m) for m in span],
    }


def cell_items(
    items: QuerySet[Item], *, horizon: str = "", sphere: str = "", region: str = ""
) -> QuerySet[Item]:
    """The items of one cell (or of one side of an axis, an empty value meaning either)."""
    if horizon:
        items = items.filter(placement__horizon=horizon)
    if sphere:
        items = items.filter(placement__sphere=sphere)
    if region:
        items = items.filter(placement__region=region)
    if not (horizon or sphere or region):
        items = items.filter(placement__isnull=False)
    return items.select_related("unit", "placement").order_by("-submitted_at", "-pk")


# --- the office's own mix --------------------------------------------------------------------


def office_items(user: User) -> QuerySet[Item]:
    """What the office writes itself: every sent item created by one of its own staff (the
    comprehensive items the desk merges are created by the editor who merged them)."""
    return (
        visible_items(user)
        .filter(created_by__role__in=OFFICE_READER_ROLES)
        .exclude(status__in=NOT_COUNTED)
    )


@dataclass(frozen=True)
class MixMonth:
    month: dt.date
    total: int
    #: kind -> (count, share %, target % or None)
    kinds: dict[str, tuple[int, float, int | None]]


def targets_on(day: dt.date) -> dict[str, int]:
    """The target of each kind in effect on ``day``: the latest set on or before it."""
    found: dict[str, int] = {}
    for target in MixTarget.objects.filter(valid_from__lte=day).order_by("-valid_from", "-pk"):
        found.setdefault(target.kind, target.share)
    return found


def mix(user: User, *, end: dt.date, count: int = TREND_MONTHS) -> list[MixMonth]:
    """Per month, the office's own items by kind: count, share and the target of the month
    (the one in effect on its last day)."""
    span = months(end, count)
    start = office_midnight(span[0])
    stop = office_midnight(add_months(span[-1], 1))
    rows = (
        office_items(user)
        .filter(submitted_at__gte=start, submitted_at__lt=stop)
        .annotate(month=TruncMonth("submitted_at"))
        .order_by()
        .values_list("month", "kind")
        .annotate(n=Count("pk"))
    )
    counts: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for month, kind, n in rows:
        key = timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        counts[key][kind] += n
    all_targets = list(MixTarget.objects.order_by("-valid_from", "-pk"))
    out = []
    for m in span:
        last_day = add_months(m, 1) - dt.timedelta(1)
        in_effect: dict[str, int] = {}
        for target in all_targets:
            if target.valid_from <= last_day:
                in_effect.setdefault(target.kind, target.share)
        total = sum(counts[m].values())
        out.append(
            MixMonth(
                month=m,
                total=total,
                kinds={
                    str(kind): (
                        counts[m][kind],
                        round(100 * counts[m][kind] / total, 1) if total else 0.0,
                        in_effect.get(kind),
                    )
                    for kind in MIX_KINDS
                },
            )
        )
    return out


# --- proposals followed ----------------------------------------------------------------------


def adopted_proposals() -> QuerySet[Item]:
    adopted = Adoption.objects.filter(item=OuterRef("pk"))
    return Item.objects.filter(kind=ItemKind.PROPOSAL).filter(Exists(adopted))


def proposals(
    user: User,
    *,
    start: dt.date,
    end: dt.date,
    unit: int | None = None,
    uptake: str = "",
) -> QuerySet[Adoption]:
    """The first adoptions of the adopted proposals the user may see, made in the period, by
    unit and by uptake (none recorded: pending), newest first.

    One row per proposal: its first adoption (no earlier one of the same item). The list walks
    the period's adoptions through ``adoption_list_order`` (``-adopted_on, -id``), the order of
    keyset pages, so a page reads a page of rows whatever the office's age; each row's item is
    read by key.
    """
    earlier = Adoption.objects.filter(item=OuterRef("item_id")).filter(
        Q(adopted_on__lt=OuterRef("adopted_on"))
        | Q(adopted_on=OuterRef("adopted_on"), pk__lt=OuterRef("pk"))
    )
    qs = (
        Adoption.objects.filter(adopted_on__gte=start, adopted_on__lte=end)
        .filter(item__kind=ItemKind.PROPOSAL)
        .filter(visible_item_exists(user))
        .exclude(Exists(earlier))
        .select_related(
            "item__unit", "item__proposal_follow_up", "item__proposal_follow_up__instruction"
        )
    )
    if unit is not None:
        qs = qs.filter(item__unit_id=unit)
    if uptake == Uptake.PENDING:
        qs = qs.filter(
            Q(item__proposal_follow_up__isnull=True)
            | Q(item__proposal_follow_up__uptake=Uptake.PENDING)
        )
    elif uptake:
        qs = qs.filter(item__proposal_follow_up__uptake=uptake)
    return qs.order_by("-adopted_on", "-id")


def uptake_of(item: Item) -> str:
    follow = getattr(item, "proposal_follow_up", None)
    return follow.uptake if follow is not None else Uptake.PENDING


@dataclass(frozen=True)
class UptakeCounts:
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def ordered(self) -> list[int]:
        return [self.counts.get(u, 0) for u in Uptake.values]


def uptake_summaries(
    rows: QuerySet[Adoption],
) -> tuple[list[UptakeCounts], list[UptakeCounts]]:
    """Uptake per unit and per month of adoption of every row of the list (the period's, as
    filtered): one query of three columns over the period's range, counted here."""
    by_unit: dict[str, Counter[str]] = defaultdict(Counter)
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    found = rows.order_by().values_list(
        "item__unit__name", "adopted_on", "item__proposal_follow_up__uptake"
    )
    for name, day, uptake in found:
        value = uptake or Uptake.PENDING
        by_unit[name][value] += 1
        by_month[day.strftime("%Y-%m")][value] += 1
    return (
        [UptakeCounts(name, dict(c)) for name, c in sorted(by_unit.items())],
        [UptakeCounts(month, dict(c)) for month, c in sorted(by_month.items(), reverse=True)],
    )
