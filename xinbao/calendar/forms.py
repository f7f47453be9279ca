"""The working calendar's form: it parses, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xinbao.calendar.models import CalendarDay
from xinbao.calendar.services import CalendarDayData
from xinbao.lib.forms import StyledForm

HOLIDAY, WORKDAY = "holiday", "workday"


class CalendarDayForm(StyledForm):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(HOLIDAY, _("Holiday (day off)")), (WORKDAY, _("Make-up workday"))],
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=CalendarDay.NAME_MAX_LENGTH,
        help_text=_("For example 春节 or 春节调休上班."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def to_data(self) -> CalendarDayData:
        d = self.cleaned_data
        return CalendarDayData(
            date=d["date"], is_workday=d["kind"] == WORKDAY, name=d["name"], note=d["note"]
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's refusal next to its field, marked invalid like the form's own."""
        self.add_error(None, exc)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css: Any = widget.attrs.get("class", "")
                if "is-invalid" not in str(css).split():
                    widget.attrs["class"] = f"{css} is-invalid".strip()
