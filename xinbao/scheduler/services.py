"""The scanner: claim due chores with a conditional UPDATE and run them, each row of a per-row
chore in its own transaction; a row that fails is recorded and retried after a backoff.

Also every write to the office's working calendar (keyword-only, atomic, audited).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import traceback
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.audit.services import record
from xinbao.lib.chores import ChoreSpec, Key, chores
from xinbao.scheduler.models import CalendarDay, CalendarYear, Chore, ChoreFailure

if TYPE_CHECKING:
    from xinbao.accounts.models import User

log = logging.getLogger(__name__)


#: Backoff of a failed row: one minute after the first failure, doubling up to an hour.
RETRY_FIRST = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=1)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a row that has failed ``attempts`` times waits before it is tried again."""
    doublings = min(max(attempts - 1, 0), 12)  # 2**12 minutes is past the limit already
    delay: dt.timedelta = RETRY_FIRST * (2**doublings)
    return min(delay, RETRY_MAX)


def sync_chores() -> None:
    """Make sure every registered chore has a row (new ones are due at once)."""
    now = timezone.now()
    for spec in chores().values():
        Chore.objects.get_or_create(
            name=spec.name, defaults={"interval": spec.interval, "due_at": now}
        )


def claim(chore: Chore) -> bool:
    """Move the chore's due time forward only if nobody else did first."""
    now = timezone.now()
    won = Chore.objects.filter(pk=chore.pk, due_at=chore.due_at).update(
        due_at=now + chore.interval, last_started_at=now, runs=chore.runs + 1
    )
    return won == 1


def _error_text() -> str:
    return traceback.format_exc()[-4000:]


def _record_failure(chore: Chore, key: Key | None, error: str) -> ChoreFailure:
    """Count a failed attempt of one row (or of a whole chore) and set its next retry."""
    now = timezone.now()
    with transaction.atomic():
        failure = ChoreFailure.objects.select_for_update().filter(chore=chore, key=key).first()
        if failure is None:
            failure = ChoreFailure(chore=chore, key=key, first_failed_at=now, attempts=0)
        failure.attempts += 1
        failure.error = error
        failure.last_failed_at = now
        failure.next_retry_at = now + retry_delay(failure.attempts)
        failure.save()
    return failure


def _clear_failure(chore: Chore, key: Key | None) -> None:
    ChoreFailure.objects.filter(chore=chore, key=key).delete()


def _run_rows(chore: Chore, spec: ChoreSpec) -> tuple[str, str]:
    """Handle each due row in its own transaction; return the summary and the last error."""
    assert spec.due is not None and spec.handle is not None  # a per-row spec has both
    now = timezone.now()
    failures = {f.key: f for f in ChoreFailure.objects.filter(chore=chore, key__isnull=False)}
    keys: list[Key] = list(dict.fromkeys(spec.due()))
    listed = set(keys)
    # A failed row the chore no longer lists is still handed back when its retry is due:
    # ``handle`` does nothing for a row that is no longer due, and its failure then clears.
    keys += [k for k, f in failures.items() if k is not None and k not in listed]
    handled = failed = waiting = 0
    last_error = ""
    for key in keys:
        failure = failures.get(key)
        if failure is not None and failure.next_retry_at > now:
            waiting += 1
            continue
        try:
            with transaction.atomic():
                spec.handle(key)
        except Exception:
            log.exception("chore %s failed on row %s", chore.name, key)
            last_error = _error_text()
            _record_failure(chore, key, last_error)
            failed += 1
            continue
        if failure is not None:
            _clear_failure(chore, key)
            log.info("chore %s: row %s passed after %d failures", chore.name, key, failure.attempts)
        handled += 1
    summary = f"{handled} handled"
    if failed:
        summary += f", {failed} failed"
    if waiting:
        summary += f", {waiting} waiting to be retried"
    return summary, last_error


def _run_whole(chore: Chore, spec: ChoreSpec) -> tuple[str, str]:
    """Run a chore of one unit of work (in one transaction unless it keeps its own claims); a
    failure is recorded and the chore retried after a backoff."""
    assert spec.run is not None  # a whole chore has run
    try:
        if spec.atomic:
            with transaction.atomic():
                summary = spec.run()
        else:
            summary = spec.run()
    except Exception:
        log.exception("chore %s failed", chore.name)
        error = _error_text()
        failure = _record_failure(chore, None, error)
        # A daily chore that failed is tried again after the backoff, not a day later.
        Chore.objects.filter(pk=chore.pk, due_at__gt=failure.next_retry_at).update(
            due_at=failure.next_retry_at
        )
        return "failed", error
    _clear_failure(chore, None)
    return summary, ""


def _run(chore: Chore, spec: ChoreSpec) -> str:
    summary, error = _run_rows(chore, spec) if spec.per_row else _run_whole(chore, spec)
    Chore.objects.filter(pk=chore.pk).update(last_finished_at=timezone.now(), last_error=error)
    return summary


def run_due() -> list[str]:
    """Run every chore that is due; return what each said."""
    sync_chores()
    specs = chores()
    said: list[str] = []
    for chore in Chore.objects.filter(due_at__lte=timezone.now()):
        spec = specs.get(chore.name)
        if spec is None or not claim(chore):
            continue
        said.append(f"{chore.name}: {_run(chore, spec)}")
    return said


def run_chore(name: str) -> str:
    """Run one registered chore now, due or not (tests, and an operator in a shell); its due
    time is left as it is. Returns its summary."""
    spec = chores()[name]
    chore, _created = Chore.objects.get_or_create(
        name=name, defaults={"interval": spec.interval, "due_at": timezone.now()}
    )
    return _run(chore, spec)


# The working calendar ---------------------------------------------------------------------

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
    before = CalendarDay.objects.select_for_update().filter(date=data.date).first()
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
    entry, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
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
