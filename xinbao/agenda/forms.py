from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import User
from xinbao.agenda.models import PriorityKind
from xinbao.agenda.services import LEADERS
from xinbao.lib.forms import StyledForm
from xinbao.org.models import Unit


class LeaderChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return obj.full_name or obj.username


class UnitsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Unit)
        return obj.short_name or obj.name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PriorityForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PriorityKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, or separated by 、 or commas; a keyword may be a phrase."),
    )
    exclude = forms.CharField(
        label=_("Exclude words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A text with any of these is not about the priority."),
    )
    starts_on = forms.DateField(label=_("Period start"), widget=DateInput())
    ends_on = forms.DateField(label=_("Period end"), widget=DateInput())
    owner = LeaderChoiceField(label=_("Leader in charge"), queryset=User.objects.none())
    units = UnitsField(
        label=_("Units concerned"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    stale_weeks = forms.IntegerField(
        label=_("Weeks without information before a flag"), min_value=1, max_value=52, initial=2
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = User.objects.filter(role__in=LEADERS, is_active=True).order_by(
            "full_name", "pk"
        )
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = Unit.objects.filter(is_active=True).order_by("code")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The period ends before it starts."))
        return data


class MilestoneForm(StyledForm):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommissionForm(StyledForm):
    due_on = forms.DateField(label=_("Answer by"), widget=DateInput())
    requirements = forms.CharField(
        label=_("Requirements"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the units should find out and write: situation, analysis, measures."),
    )
