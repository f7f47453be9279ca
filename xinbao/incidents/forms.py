"""Forms of the urgent-information pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.incidents.models import (
    AccountabilityRecord,
    IncidentStatus,
    NoticeKind,
    RecordKind,
    ReportRequest,
    ReportStage,
    VerificationOutcome,
)
from xinbao.incidents.services import LeadData
from xinbao.items.models import Item
from xinbao.lib.days import office_midnight
from xinbao.lib.forms import StyledForm
from xinbao.lib.levels import Category, Level
from xinbao.org.models import Unit

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]


def _datetime_field(label: Any, *, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )


def _units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by("kind", "code")


class IntakeForm(StyledForm):
    """The duty-phone record (值班电话记录): what the caller said, then how to file it."""

    received_at = _datetime_field(_("Call received at"), required=True)
    source = forms.CharField(
        label=_("Source"),
        max_length=100,
        help_text=_("Who reported it: a unit, the police, a citizen…"),
    )
    occurred_at = _datetime_field(_("When it happened"), required=False)
    place = forms.CharField(label=_("Where"), max_length=200)
    what = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    casualties = forms.CharField(
        label=_("Casualties"),
        max_length=300,
        required=False,
        help_text=_("As the caller said it, e.g. 造成5人死亡、3人受伤."),
    )
    measures = forms.CharField(
        label=_("Measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    caller_name = forms.CharField(label=_("Caller"), max_length=50)
    caller_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    title = forms.CharField(label=_("Title of the incident"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices])
    sensitive = forms.BooleanField(label=_("Sensitive person, time or place"), required=False)
    crowd = forms.IntegerField(
        label=_("People gathered"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units concerned"),
        queryset=_units(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Take the suggested level")), *Level.choices],
        help_text=_("Only to overrule the suggestion; the reasons are kept either way."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = _units()

    def to_lead(self) -> LeadData:
        d = self.cleaned_data
        return LeadData(
            received_at=d["received_at"],
            source=d["source"].strip(),
            place=d["place"].strip(),
            what=d["what"].strip(),
            caller_name=d["caller_name"].strip(),
            caller_phone=d["caller_phone"].strip(),
            occurred_at=d["occurred_at"],
            casualties=d["casualties"].strip(),
            measures=d["measures"].strip(),
        )


class SuggestForm(forms.Form):
    """The fields of the intake form that the suggestion reads; nothing is required.

    A field that does not parse is simply left out of the suggestion.
    """

    received_at = forms.DateTimeField(required=False, input_formats=DATETIME_FORMATS)
    what = forms.CharField(required=False)
    casualties = forms.CharField(required=False)
    category = forms.ChoiceField(required=False, choices=Category.choices)
    sensitive = forms.BooleanField(required=False)
    crowd = forms.IntegerField(required=False, min_value=0)

    def values(self) -> dict[str, Any]:
        self.is_valid()
        d = self.cleaned_data
        return {
            "received_at": d.get("received_at") or timezone.now(),
            "what": (d.get("what") or "").strip(),
            "casualties": (d.get("casualties") or "").strip(),
            "category": d.get("category") or Category.ACCIDENT,
            "sensitive": bool(d.get("sensitive")),
            "crowd": d.get("crowd"),
        }


class IncidentFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *IncidentStatus.choices]
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any level")), *Level.choices],
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *Category.choices],
    )


class DemandForm(StyledForm):
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=_units(), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    matter = forms.CharField(
        label=_("Matter"),
        max_length=200,
        required=False,
        help_text=_("What to report on; empty: the incident's title."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = _units()


class RequestChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, ReportRequest)
        return obj.unit.short_name or obj.unit.name


class PhoneReportForm(StyledForm):
    request = RequestChoiceField(label=_("Unit"), queryset=ReportRequest.objects.none())
    note = forms.CharField(
        label=_("What they said"), max_length=400, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, requests: QuerySet[ReportRequest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["request"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = requests.select_related("unit")


class ItemChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Item)
        when = timezone.localtime(obj.submitted_at) if obj.submitted_at else None
        stamp = f"{when:%m-%d %H:%M} " if when else ""
        return f"{obj.unit.short_name or obj.unit.name} · {stamp}{obj.title}"


class FileReportForm(StyledForm):
    """Make a sent item a unit's report on the incident (首报, 续报, 终报)."""

    item = ItemChoiceField(label=_("Item"), queryset=Item.objects.none())
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("Next in order (first, then follow-up)")), *ReportStage.choices],
    )

    def __init__(self, *args: Any, items: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = items


class FollowUpForm(StyledForm):
    follow_up_hours = forms.IntegerField(
        label=_("Follow-up report every (hours)"),
        required=False,
        min_value=1,
        max_value=168,
        help_text=_("Empty: follow-up reports when there is news."),
    )


class CloseVerificationForm(StyledForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VerificationOutcome.choices)
    findings = forms.CharField(
        label=_("On-site findings"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecordFilterForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *RecordKind.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        required=False,
        queryset=Unit.objects.order_by("kind", "code"),
        empty_label=_("Any unit"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def to_filter(self) -> dict[str, Any]:
        """Arguments of ``selectors.records``; an invalid form filters nothing."""
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "unit": d["unit"],
            "date_from": office_midnight(d["date_from"]) if d["date_from"] else None,
            "date_to": (
                office_midnight(d["date_to"] + dt.timedelta(days=1)) if d["date_to"] else None
            ),
        }


class NoticeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of notice"), choices=NoticeKind.choices)
    subject = forms.CharField(
        label=_("Case or period"),
        max_length=100,
        required=False,
        help_text=_("E.g. 2026年11月; empty: the case's title or the period of the records."),
    )
    records = forms.ModelMultipleChoiceField(
        label=_("Records"), queryset=AccountabilityRecord.objects.none()
    )

    def __init__(self, *args: Any, records: QuerySet[AccountabilityRecord], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["records"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = records
