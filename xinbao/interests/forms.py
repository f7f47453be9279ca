from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.items.matching import split_terms
from xinbao.lib.forms import StyledForm
from xinbao.org.models import Unit
from xinbao.research.models import CommissionForm


class UnitChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Unit)
        return obj.short_name or obj.name


def units_field(label: Any, *, required: bool) -> UnitChoiceField:
    return UnitChoiceField(
        label=label,
        queryset=Unit.objects.filter(is_active=True).order_by("kind", "code"),
        required=required,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


class InterestForm(StyledForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages={"required": _("Give the interest a name.")},
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, or separated by 、 or commas. An item matches on any of them."),
        error_messages={"required": _("Give at least one keyword.")},
    )
    exclude = forms.CharField(
        label=_("Leave out items with"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Items containing any of these words are not sent to you."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    urgent_channel = forms.BooleanField(
        label=_("Urgent items also by SMS"), required=False, initial=True
    )
    digest = forms.BooleanField(label=_("Daily digest at 08:00"), required=False, initial=True)

    def clean_keywords(self) -> list[str]:
        terms = split_terms(self.cleaned_data["keywords"])
        if not terms:
            raise forms.ValidationError(_("Give at least one keyword."))
        if any(len(t) > 50 for t in terms):
            raise forms.ValidationError(_("A keyword is at most 50 characters."))
        return terms

    def clean_exclude(self) -> list[str]:
        return split_terms(self.cleaned_data["exclude"])


class AskForm(StyledForm):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={"required": _("Say what the information is about.")},
    )
    wanted = forms.CharField(
        label=_("What is wanted"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The situation, the analysis, proposals: what you need to know."),
        error_messages={"required": _("Say what information is wanted.")},
    )
    wanted_by = forms.DateField(
        label=_("Wanted by"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date you need it by.")},
    )
    units = units_field(_("Units to ask (optional)"), required=False)

    def clean_wanted_by(self) -> dt.date:
        wanted: dt.date = self.cleaned_data["wanted_by"]
        if wanted < timezone.localdate():
            raise forms.ValidationError(_("The date wanted cannot be in the past."))
        return wanted


class MarkForm(StyledForm):
    useful = forms.TypedChoiceField(
        label=_("Useful"),
        choices=[("1", _("Useful")), ("0", _("Not useful"))],
        coerce=lambda v: v == "1",
        error_messages={"required": _("Say whether it was useful.")},
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class PeriodForm(StyledForm):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class IssueForm(StyledForm):
    """The office issues a leader's request to units as a research commission."""

    units = units_field(_("Units"), required=True)
    form = forms.ChoiceField(label=_("Form"), choices=CommissionForm.choices)
    due_on = forms.DateField(
        label=_("Due on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the day the answers are due.")},
    )
    requirements = forms.CharField(
        label=_("Requirements"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Say what the units are to write.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.error_messages["required"] = _("Choose at least one unit.")

    def clean_due_on(self) -> dt.date:
        due: dt.date = self.cleaned_data["due_on"]
        if due <= timezone.localdate():
            raise forms.ValidationError(_("The due day must be after today."))
        return due
