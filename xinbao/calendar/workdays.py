"""The office's working calendar: which days are working days, and deadlines counted in them.

Sources, in order of precedence for a date:

1. the office's table (``calendar.CalendarDay``): a row overrides everything else;
2. chinese-calendar, for the years it has data for (the State Council's published schedule);
3. the weekend rule (Monday to Friday work, Saturday and Sunday off).

A year that chinese-calendar does not know and the office has not declared complete
(``calendar.CalendarYear``) is *missing*: its dates never raise, they fall back to the weekend
rule with ``source="weekend_rule"``, and :func:`calendar_warnings` tells the system
administrator so until the table is entered. A complete year's plain days carry
``source="table"``: the office vouches for them.

Two kinds of clock: emergencies count minutes around the clock (:func:`add_minutes`);
routine demands count working days (:func:`add_workdays`).

Every function reads the table afresh (two small queries per year touched): the table is
edited by the office while web processes and workers run, so nothing is cached across calls.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import chinese_calendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.calendar.models import CalendarDay, CalendarYear

Source = Literal["table", "chinese_calendar", "weekend_rule"]

#: chinese-calendar names its holidays in English; the office reads them in Chinese.
HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

#: Suffix of a make-up workday's name, after the holiday it pays for: 国庆节调休上班.
MAKE_UP_SUFFIX = "调休上班"

#: Default close of business: the common winter office hours of Chinese government offices.
DEFAULT_CLOSE_OF_BUSINESS = "17:30"


@dataclass(frozen=True)
class DayInfo:
    workday: bool
    source: Source
    name: str
    """The holiday or make-up day's name (春节, 国庆节调休上班); empty for a plain day."""


@dataclass(frozen=True)
class SpecialDay:
    """A holiday or make-up workday of a year, for the calendar page."""

    date: dt.date
    workday: bool
    name: str
    source: Source
    row: CalendarDay | None
    """The table's row, when the office entered this day."""


@dataclass(frozen=True)
class CalendarWarning:
    year: int
    level: Literal["danger", "warning"]
    message: str


def close_of_business() -> dt.time:
    """When the office's working day ends: the deadline hour of "N个工作日内".

    ``settings.XINBAO_CLOSE_OF_BUSINESS`` (from the environment variable of that name), as
    ``HH:MM``; 17:30 by default.
    """
    raw = getattr(settings, "XINBAO_CLOSE_OF_BUSINESS", None) or DEFAULT_CLOSE_OF_BUSINESS
    return dt.time.fromisoformat(str(raw))


@functools.cache
def library_knows(year: int) -> bool:
    """Whether chinese-calendar has the published schedule of ``year``.

    The library raises ``NotImplementedError`` outside its years; the answer only changes
    with an upgrade of the library, so it is kept for the life of the process.
    """
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _library_info(day: dt.date) -> DayInfo:
    is_holiday, english = chinese_calendar.get_holiday_detail(day)
    workday = not is_holiday
    name = ""
    if english is not None:
        chinese = HOLIDAY_NAMES.get(str(english), str(english))
        name = chinese + MAKE_UP_SUFFIX if workday else chinese
    return DayInfo(workday=workday, source="chinese_calendar", name=name)


def _weekend_rule(day: dt.date) -> bool:
    return day.weekday() < 5


class _Table:
    """The office's table, read one year at a time and only once per call."""

    def __init__(self) -> None:
        self._days: dict[int, dict[dt.date, CalendarDay]] = {}
        self._complete: dict[int, bool] = {}

    def _load(self, year: int) -> None:
        if year in self._days:
            return
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self._days[year] = {
            row.date: row for row in CalendarDay.objects.filter(date__range=(start, end))
        }
        self._complete[year] = CalendarYear.objects.filter(year=year, complete=True).exists()

    def row(self, day: dt.date) -> CalendarDay | None:
        self._load(day.year)
        return self._days[day.year].get(day)

    def rows(self, year: int) -> list[CalendarDay]:
        self._load(year)
        return sorted(self._days[year].values(), key=lambda r: r.date)

    def complete(self, year: int) -> bool:
        self._load(year)
        return self._complete[year]

    def info(self, day: dt.date) -> DayInfo:
        row = self.row(day)
        if row is not None:
            return DayInfo(workday=row.is_workday, source="table", name=row.name)
        if library_knows(day.year):
            return _library_info(day)
        source: Source = "table" if self.complete(day.year) else "weekend_rule"
        return DayInfo(workday=_weekend_rule(day), source=source, name="")


def _as_date(value: dt.date) -> dt.date:
    """A datetime counts by its date in the office's time zone (Asia/Shanghai)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        return value.date()
    return value


def _require_aware(value: dt.datetime) -> None:
    if timezone.is_naive(value):
        raise ValueError("a deadline needs an aware datetime (store UTC, show Asia/Shanghai)")


def day_info(day: dt.date) -> DayInfo:
    """Whether ``day`` is a working day, who says so, and the day's name. Never raises."""
    return _Table().info(_as_date(day))


def is_workday(day: dt.date) -> bool:
    return day_info(day).workday


def add_workdays(start: dt.datetime, n: int) -> dt.datetime:
    """The deadline of "n个工作日内": close of business on the n-th working day after ``start``.

    The day of ``start`` itself is not counted, whatever the hour, and counting begins on the
    next day; the deadline is the close of business (:func:`close_of_business`, 17:30 by
    default) of the n-th working day, in the office's time zone. This is how the Civil Code
    counts periods in days (民法典 第二百零一条: 开始的当日不计入; 第二百零三条: 有业务时间的,
    停止业务活动的时间为截止时间), and what an office means by "3个工作日内报送": a demand
    sent on Friday afternoon is due on Wednesday at 17:30, holidays skipped.

    ``n`` must be at least 1; ``start`` must be aware. The result is aware, in the office's
    time zone. ``workdays_between(start, add_workdays(start, n)) == n``.
    """
    _require_aware(start)
    if n < 1:
        raise ValueError("a deadline in working days counts at least one working day")
    table = _Table()
    day = _as_date(start)
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if table.info(day).workday:
            counted += 1
    local = dt.datetime.combine(day, close_of_business())
    return timezone.make_aware(local, timezone.get_default_timezone())


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days after ``a`` up to and including ``b`` (dates in the office's time zone).

    Negative when ``b`` is before ``a``: ``workdays_between(b, a) == -workdays_between(a, b)``.
    Datetimes count by their local date.
    """
    first, last = _as_date(a), _as_date(b)
    if last < first:
        return -workdays_between(last, first)
    table = _Table()
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if table.info(day).workday:
            count += 1
    return count


def add_minutes(start: dt.datetime, minutes: int) -> dt.datetime:
    """The deadline of an emergency: minutes around the clock, nights and holidays included."""
    _require_aware(start)
    return start + dt.timedelta(minutes=minutes)


def years_missing(years: Iterable[int]) -> list[int]:
    """The years, sorted, that chinese-calendar does not know and the office has not completed."""
    unknown = sorted({y for y in years if not library_knows(y)})
    if not unknown:
        return []
    complete = set(
        CalendarYear.objects.filter(year__in=unknown, complete=True).values_list("year", flat=True)
    )
    return [y for y in unknown if y not in complete]


def year_source(year: int) -> Source:
    """Where the plain days of ``year`` come from: the library, the office's table, or neither."""
    if library_knows(year):
        return "chinese_calendar"
    return "weekend_rule" if years_missing([year]) else "table"


def special_days(year: int) -> list[SpecialDay]:
    """Every holiday and make-up workday of ``year``, the table's rows over the library's."""
    table = _Table()
    found: dict[dt.date, SpecialDay] = {}
    if library_knows(year):
        day = dt.date(year, 1, 1)
        while day.year == year:
            info = _library_info(day)
            if info.name:
                found[day] = SpecialDay(day, info.workday, info.name, info.source, None)
            day += dt.timedelta(days=1)
    for row in table.rows(year):
        found[row.date] = SpecialDay(row.date, row.is_workday, row.name, "table", row)
    return [found[d] for d in sorted(found)]


def calendar_warnings(today: dt.date | None = None) -> list[CalendarWarning]:
    """What the system administrator must be told: this year or next year missing."""
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    current, following = today.year, today.year + 1
    warnings: list[CalendarWarning] = []
    for year in years_missing([current, following]):
        if year == current:
            message = _(
                "The working calendar of %(year)s has not been entered: holidays are counted "
                "as working days and only weekends are days off. Enter the holidays and make-up "
                "workdays of %(year)s and mark the year complete."
            ) % {"year": year}
            warnings.append(CalendarWarning(year, "danger", message))
        else:
            message = _(
                "The working calendar of %(year)s has not been entered yet. Enter its holidays "
                "and make-up workdays once the State Council publishes them, before the year "
                "begins."
            ) % {"year": year}
            warnings.append(CalendarWarning(year, "warning", message))
    return warnings
