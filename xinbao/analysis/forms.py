from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.analysis.models import MIX_KINDS, Horizon, Region, Sphere, Uptake
from xinbao.analysis.selectors import add_months, month_start
from xinbao.items.models import ItemKind
from xinbao.lib.forms import StyledForm
from xinbao.org.models import Unit, UnitClass
from xinbao.periodicals.models import Instruction


def _default_period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return add_months(month_start(today), -2), today


class PeriodForm(StyledForm):
    """The period and unit class a page counts; empty fields fall back to the last three
    months to today and every class."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    unit_class = forms.ModelChoiceField(
        label=_("Unit class"), queryset=UnitClass.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit_class"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = UnitClass.objects.order_by("rank", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = _default_period()
        data["start"] = data.get("start") or start
        data["end"] = data.get("end") or end
        if data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data

    def period(self) -> tuple[dt.date, dt.date, int | None]:
        """The period asked for, or the default one when the form is invalid."""
        if self.is_valid():
            klass = self.cleaned_data.get("unit_class")
            return self.cleaned_data["start"], self.cleaned_data["end"], klass.pk if klass else None
        start, end = _default_period()
        return start, end, None


class PlacementForm(StyledForm):
    horizon = forms.ChoiceField(label=_("Horizon"), choices=Horizon.choices)
    sphere = forms.ChoiceField(label=_("Sphere"), choices=Sphere.choices)
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class TargetForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in MIX_KINDS], initial=ItemKind.ANALYSIS
    )
    share = forms.IntegerField(
        label=_("Target share (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("Give the share as a percentage."),
            "min_value": _("A share is a percentage from 0 to 100."),
            "max_value": _("A share is a percentage from 0 to 100."),
        },
    )
    valid_from = forms.DateField(
        label=_("From"),
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Say from which day the target holds.")},
    )


class InstructionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs: untyped model
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.leader.full_name or obj.leader.username}：{obj.text[:40]}"


class UptakeForm(StyledForm):
    uptake = forms.ChoiceField(label=_("Uptake"), choices=Uptake.choices)
    note = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("What was done with the proposal: a meeting, a document, a measure."),
    )
    decided_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    instruction = InstructionChoice(
        label=_("Leader's instruction"), queryset=Instruction.objects.none(), required=False
    )

    def __init__(self, *args: Any, instructions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instruction"]
        assert isinstance(field, forms.ModelChoiceField)
        if instructions is not None:
            field.queryset = instructions


class ProposalFilterForm(PeriodForm):
    """The period of first adoption (by default the last three months), a unit and an uptake."""

    start = forms.DateField(
        label=_("Adopted from"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("Adopted until"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    uptake = forms.ChoiceField(
        label=_("Uptake"), choices=[("", _("All")), *Uptake.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["unit_class"]
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(is_active=True).order_by("kind", "code")

    def filters(self) -> dict[str, Any]:
        """The period asked for (the default one when it is wrong), the unit and the uptake."""
        start, end, _class = self.period()
        data = getattr(self, "cleaned_data", {})
        unit = data.get("unit")
        return {
            "start": start,
            "end": end,
            "unit": unit.pk if unit else None,
            "uptake": data.get("uptake") or "",
        }
