"""The period picker of the statistics pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.lib.forms import StyledForm
from xinbao.org.models import UnitClass
from xinbao.scoring.statistics import PeriodKind, period_bounds


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    day: dt.date
    start: dt.date
    end: dt.date
    unit_class: UnitClass | None

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


class PeriodForm(StyledForm):
    """Month, quarter or year containing a day; optionally one class of units.

    Read from the query string; anything missing or invalid falls back to this quarter.
    """

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))],
        required=False,
    )
    day = forms.DateField(
        label=_("Containing the day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    unit_class = forms.ModelChoiceField(
        label=_("Class"),
        queryset=UnitClass.objects.all(),
        required=False,
        empty_label=_("All classes"),
    )

    def __init__(self, *args: Any, with_class: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_class:
            del self.fields["unit_class"]

    def chosen(self) -> Period:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        kind: PeriodKind = data.get("period") or "quarter"
        day = data.get("day") or timezone.localdate()
        start, end = period_bounds(kind, day)
        return Period(kind=kind, day=day, start=start, end=end, unit_class=data.get("unit_class"))
