"""First-run check of the working calendar: this year and the next entered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.calendar.workdays import calendar_warnings
from xinbao.lib.readiness import Step, register


@register(order=50)
def calendar(today: dt.date | None) -> Iterator[Step]:
    for warning in calendar_warnings(today):
        yield Step(
            f"calendar_{warning.year}",
            _("The working calendar of %(year)s has not been entered.") % {"year": warning.year},
            reverse("calendar:calendar_year", args=(warning.year,)),
            _("Enter %(year)s") % {"year": warning.year},
        )
