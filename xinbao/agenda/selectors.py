"""Reads of the agenda: matched items and coverage per priority and period, always through
``items.access.visible_items`` so that nobody sees a matched item they may not see."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.agenda.models import Milestone, Priority, PriorityMatch, StaleFlag
from xinbao.items.access import visible_item_exists
from xinbao.items.models import Item
from xinbao.lib.days import office_midnight
from xinbao.org.models import Unit


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    """A window of a priority's coverage: the whole period, a week or a month (days included)."""

    key: str
    label: str
    start: dt.date
    end: dt.date


def periods(priority: Priority) -> list[Period]:
    """The whole period, then its months and its weeks (Monday to Sunday), newest first."""
    out = [Period("", _("Whole period"), priority.starts_on, priority.ends_on)]
    months: list[Period] = []
    day = priority.starts_on.replace(day=1)
    while day <= priority.ends_on:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months.append(
            Period(day.strftime("%Y-%m"), day.strftime("%Y-%m"), day, following - dt.timedelta(1))
        )
        day = following
    weeks: list[Period] = []
    monday = _monday(priority.starts_on)
    while monday <= priority.ends_on:
        year, week, _day = monday.isocalendar()
        sunday = monday + dt.timedelta(days=6)
        label = _("week of %(day)s") % {"day": monday.strftime("%m-%d")}
        weeks.append(Period(f"{year}-W{week:02d}", label, monday, sunday))
        monday += dt.timedelta(weeks=1)
    return out + months[::-1] + weeks[::-1]


def period(priority: Priority, key: str) -> Period:
    """The period named ``key``; the whole period for an unknown key."""
    found = {p.key: p for p in periods(priority)}
    return found.get(key) or found[""]


def live_matches(user: User, priority: Priority) -> QuerySet[PriorityMatch]:
    """The priority's matches not removed, of items the user may see."""
    return PriorityMatch.objects.filter(
        visible_item_exists(user), priority=priority, removed_at=None
    )


@dataclass
class Coverage:
    priority: Priority
    period: Period
    matches: list[PriorityMatch]
    reported: list[Unit]
    silent: list[Unit]
    milestones: list[Milestone]
    weeks: list[tuple[dt.date, int]] = field(default_factory=list)
    removed: list[PriorityMatch] = field(default_factory=list)
    flag: StaleFlag | None = None


def coverage(user: User, priority: Priority, key: str = "") -> Coverage:
    """What the user may see of the priority in the period ``key``: its matched items (newest
    first), the units concerned that reported and those that did not, its milestones, matched
    items per week over the whole period, the matches removed by hand and the open flag."""
    window = period(priority, key)
    live = live_matches(user, priority).select_related("item", "item__unit", "by")
    all_rows = list(live.order_by("-item__submitted_at", "-pk"))
    start, end = office_midnight(window.start), office_midnight(window.end + dt.timedelta(days=1))
    rows = [m for m in all_rows if m.item.submitted_at and start <= m.item.submitted_at < end]
    concerned = list(priority.units.order_by("code"))
    reporting = {m.item.unit_id for m in rows}
    if concerned and rows:
        joint = Item.joint_units.through.objects.filter(item_id__in=[m.item_id for m in rows])
        reporting.update(joint.values_list("unit_id", flat=True))
    weekly: Counter[dt.date] = Counter(
        _monday(timezone.localtime(m.item.submitted_at).date())
        for m in all_rows
        if m.item.submitted_at
    )
    weeks = []
    monday = _monday(priority.starts_on)
    last = min(priority.ends_on, timezone.localdate())
    while monday <= last:
        weeks.append((monday, weekly.get(monday, 0)))
        monday += dt.timedelta(weeks=1)
    removed = list(
        PriorityMatch.objects.filter(
            visible_item_exists(user), priority=priority, removed_at__isnull=False
        ).select_related("item", "removed_by")
    )
    return Coverage(
        priority=priority,
        period=window,
        matches=rows,
        reported=[u for u in concerned if u.pk in reporting],
        silent=[u for u in concerned if u.pk not in reporting],
        milestones=list(priority.milestones.all()),
        weeks=weeks,
        removed=removed,
        flag=priority.stale_flags.filter(resolved_at=None).select_related("commission").first(),
    )


@dataclass
class Row:
    priority: Priority
    total: int
    this_month: int
    last: dt.datetime | None
    flag: StaleFlag | None


def overview(user: User) -> list[Row]:
    """Every priority with its matched items (all, and this month) as the user may see them,
    flagged ones first, then active ones, newest period first."""
    priorities = list(Priority.objects.select_related("owner").order_by("-starts_on", "-pk"))
    flags = {f.priority_id: f for f in StaleFlag.objects.filter(resolved_at=None)}
    month_start = office_midnight(timezone.localdate().replace(day=1))
    total: Counter[int] = Counter()
    month: Counter[int] = Counter()
    last: dict[int, dt.datetime] = {}
    rows = PriorityMatch.objects.filter(visible_item_exists(user), removed_at=None).values_list(
        "priority_id", "item__submitted_at"
    )
    for pk, at in rows:
        total[pk] += 1
        if at is not None:
            month[pk] += at >= month_start
            last[pk] = max(last.get(pk, at), at)
    out = [Row(p, total[p.pk], month[p.pk], last.get(p.pk), flags.get(p.pk)) for p in priorities]
    return sorted(out, key=lambda r: (r.flag is None, not r.priority.active))


def open_flags() -> QuerySet[StaleFlag]:
    return StaleFlag.objects.filter(resolved_at=None, priority__active=True).select_related(
        "priority"
    )
