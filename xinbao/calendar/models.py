"""The office's working calendar: the special days it enters and the years it declares complete.

Read by :mod:`xinbao.calendar.workdays`, which every deadline in working days goes through.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One special day of the office's working calendar: a holiday or a make-up workday.

    The office enters these for years that chinese-calendar does not know yet (the State
    Council publishes each year's schedule late in the year before) and to correct a date
    the library has wrong. A row overrides chinese-calendar for its date.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked for a make-up workday on a weekend; clear for a holiday."),
    )
    NAME_MAX_LENGTH = 32

    name = models.CharField(
        _("name"), max_length=NAME_MAX_LENGTH, help_text=_("For example 春节 or 调休上班.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        # The table kept its name when the calendar left the scheduler app.
        db_table = "scheduler_calendarday"
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class CalendarYear(models.Model):
    """The office's statement that its table holds every special day of ``year``.

    Until a year is complete, days the table does not name fall back to the weekend rule and
    the system administrator is warned; a complete year is trusted as it stands.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(_("complete"), default=False)
    entered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)

    class Meta:
        db_table = "scheduler_calendaryear"
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)
