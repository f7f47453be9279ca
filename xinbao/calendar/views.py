"""The working calendar's page, for the system administrator: thin; writes go through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import User
from xinbao.accounts.permissions import require
from xinbao.calendar import services
from xinbao.calendar.forms import CalendarDayForm
from xinbao.calendar.models import CalendarDay, CalendarYear
from xinbao.calendar.workdays import calendar_warnings, special_days, year_source


def access_calendar_day(user: User, pk: int) -> CalendarDay:
    require(services.can_manage_calendar(user))
    return get_object_or_404(CalendarDay, pk=pk)


def _checked_year(year: int) -> int:
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise Http404
    return year


@login_required
def calendar_year(request: AuthedRequest, year: int | None = None) -> HttpResponse:
    """The special days of a year (this year by default), and a form to enter one."""
    require(services.can_manage_calendar(request.user))
    year = _checked_year(year or timezone.localdate().year)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            day = services.set_calendar_day(
                actor=request.user, data=form.to_data(), request=request
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(date)s saved.") % {"date": f"{day.date:%Y-%m-%d}"})
            return redirect("calendar:calendar_year", year=day.date.year)
    return render(
        request,
        "calendar/calendar_year.html",
        {
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "source": year_source(year),
            "entry": CalendarYear.objects.filter(year=year).select_related("entered_by").first(),
            "days": special_days(year),
            "warnings": calendar_warnings(),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def year_complete(request: AuthedRequest, year: int) -> HttpResponse:
    require(services.can_manage_calendar(request.user))
    year = _checked_year(year)
    complete = request.POST.get("complete") == "1"
    try:
        services.set_calendar_year_complete(
            actor=request.user, year=year, complete=complete, request=request
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if complete:
            messages.success(request, _("%(year)s marked complete.") % {"year": year})
        else:
            messages.success(request, _("%(year)s reopened.") % {"year": year})
    return redirect("calendar:calendar_year", year=year)


@login_required
@require_POST
def day_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    day = access_calendar_day(request.user, pk)
    year = day.date.year
    services.remove_calendar_day(actor=request.user, day=day, request=request)
    messages.success(request, _("%(date)s removed.") % {"date": f"{day.date:%Y-%m-%d}"})
    return redirect("calendar:calendar_year", year=year)
