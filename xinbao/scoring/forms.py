"""The period picker of the statistics pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.lib.forms import StyledForm
from xinbao.org.models import Unit, UnitClass
from xinbao.scoring.models import RuleKind
from xinbao.scoring.services import RuleValue
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


class RuleSetForm(StyledForm):
    """The head of a rule set version; its rules are the ``RuleFormSet`` beside it."""

    name = forms.CharField(label=_("Name"), max_length=100)
    effective_from = forms.DateField(
        label=_("In force from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The published rule these values come from."),
    )


class RuleForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    key = forms.CharField(label=_("Key"), max_length=100)
    points = forms.DecimalField(label=_("Points or factor"), max_digits=8, decimal_places=2)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)


RuleFormSet = forms.formset_factory(RuleForm, extra=3, can_delete=True)


def rule_values(formset: forms.BaseFormSet[RuleForm]) -> list[RuleValue]:
    """The rows of a valid formset that are filled in and not marked for deletion."""
    values = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        values.append(
            RuleValue(
                kind=data["kind"],
                key=data["key"].strip(),
                points=data["points"],
                label=data.get("label", ""),
            )
        )
    return values


class LedgerForm(PeriodForm):
    """The corrections screen's filter: a period and, optionally, one unit."""

    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.order_by("kind", "code"),
        required=False,
        empty_label=_("All units"),
    )


class CorrectionForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
