"""Every write to the office's working calendar: keyword-only, atomic, audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.audit.services import record
from xinbao.calendar.models import CalendarDay, CalendarYear

if TYPE_CHECKING:
    from xinbao.accounts.models import User

#: Years the calendar accepts: wide enough for any deadline, narrow enough to catch a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def can_manage_calendar(user: User) -> bool:
    """Only the system administrator keeps the working calendar."""
    return user.is_system_admin


def _check_actor(actor: User | None) -> None:
    # ``None`` is the system itself: the import command run by the operator.
    if actor is not None and not can_manage_calendar(actor):
        raise PermissionDenied(_("Only the system administrator keeps the working calendar."))


@dataclasses.dataclass(frozen=True)
class CalendarDayData:
    date: dt.date
    is_workday: bool
    name: str
    note: str = ""


def _check_year(year: int, field: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("Choose a year from %(first)s to %(last)s.")
        raise ValidationError({field: message % {"first": FIRST_YEAR, "last": LAST_YEAR}})


def _day_summary(day: CalendarDay) -> dict[str, object]:
    return {
        "date": day.date.isoformat(),
        "is_workday": day.is_workday,
        "name": day.name,
        "note": day.note,
    }


@transaction.atomic
def set_calendar_day(
    *,
    actor: User | None,
    data: CalendarDayData,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> CalendarDay:
    """Enter a holiday or make-up workday, or change the one already on that date."""
    _check_actor(actor)
    _check_year(data.date.year, "date")
    name = data.name.strip()
    if not name:
        raise ValidationError({"name": _("Name the day, for example 春节 or 调休上班.")})
    if len(name) > CalendarDay.NAME_MAX_LENGTH:
        raise ValidationError({"name": _("The name is too long.")})
    before = CalendarDay.objects.select_for_update(no_key=True).filter(date=data.date).first()
    previous = _day_summary(before) if before is not None else None
    day, _created = CalendarDay.objects.update_or_create(
        date=data.date,
        defaults={"is_workday": data.is_workday, "name": name, "note": data.note.strip()[:200]},
    )
    record(
        actor=actor,
        actor_name=actor_name,
        action="calendar_day_set",
        obj=day,
        summary={**_day_summary(day), "before": previous},
        request=request,
    )
    return day


@transaction.atomic
def remove_calendar_day(
    *, actor: User | None, day: CalendarDay, request: HttpRequest | None = None
) -> None:
    """Take a day out of the table; chinese-calendar or the weekend rule decide it again."""
    _check_actor(actor)
    record(
        actor=actor,
        action="calendar_day_removed",
        obj=day,
        summary=_day_summary(day),
        request=request,
    )
    day.delete()


@transaction.atomic
def set_calendar_year_complete(
    *,
    actor: User | None,
    year: int,
    complete: bool,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> CalendarYear:
    """Declare that the table holds every special day of ``year`` (or take that back).

    Refused for a year without a single holiday in the table: a "complete" empty year would
    silently count every holiday as a working day, which is what the warning is there to stop.
    """
    _check_actor(actor)
    _check_year(year, "year")
    if (
        complete
        and not CalendarDay.objects.filter(
            date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)), is_workday=False
        ).exists()
    ):
        raise ValidationError(
            _("Enter the holidays of %(year)s before marking the year complete."),
            params={"year": year},
        )
    entry, _created = CalendarYear.objects.select_for_update(no_key=True).get_or_create(year=year)
    entry.complete = complete
    entry.entered_by = actor
    entry.entered_at = timezone.now()
    entry.save()
    record(
        actor=actor,
        actor_name=actor_name,
        action="calendar_year_completed" if complete else "calendar_year_reopened",
        obj=entry,
        summary={"year": year},
        request=request,
    )
    return entry


@transaction.atomic
def import_calendar_days(
    *,
    actor: User | None,
    days: list[CalendarDayData],
    complete_years: bool = False,
    actor_name: str = "",
) -> list[CalendarDay]:
    """Enter many days at once (the import command); all or nothing.

    With ``complete_years`` every year named in ``days`` is then marked complete.
    """
    saved = [set_calendar_day(actor=actor, data=d, actor_name=actor_name) for d in days]
    if complete_years:
        for year in sorted({d.date.year for d in days}):
            set_calendar_year_complete(actor=actor, year=year, complete=True, actor_name=actor_name)
    return saved
