from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinbao.items.attachments import MAX_ATTACHMENT_BYTES, human_size
from xinbao.items.models import Channel, ItemKind, ItemStatus, Topic, Urgency
from xinbao.items.services import ItemData, validate_writer_phone
from xinbao.lib.forms import StyledForm
from xinbao.lib.labels import Sensitivity
from xinbao.org.models import Unit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


#: How an item written by office staff for a unit reached the office. A unit's own web form
#: is the web channel; the API, collection and the like have their own intake paths.
RELAYED_CHANNELS = [
    (c.value, c.label) for c in (Channel.PHONE, Channel.EMAIL, Channel.SMS, Channel.WECOM)
]


class ItemForm(StyledForm):
    """The item form; the same fields on a phone and a PC."""

    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.filter(is_active=True), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain paragraphs; one line per paragraph."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.DYNAMIC)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE
    )
    sensitivity = forms.TypedChoiceField(
        label=_("Sensitivity label"),
        choices=Sensitivity.choices,
        coerce=int,
        initial=Sensitivity.ORDINARY,
        required=False,
        help_text=_("Who may read it: no one cleared below this label sees it."),
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    event_at = forms.DateTimeField(
        label=_("Time of the event"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=300,
        help_text=_("Separate topics with commas."),
    )
    joint_units = forms.ModelMultipleChoiceField(
        label=_("Joint units"), queryset=Unit.objects.filter(is_active=True), required=False
    )
    writer_name = forms.CharField(label=_("Writer"), max_length=50)
    writer_phone = forms.CharField(label=_("Writer's phone"), max_length=32)
    approved_by = forms.CharField(label=_("Approving unit leader"), max_length=50, required=False)
    uploads = MultipleFileField(
        label=_("Pictures, audio, video, documents"),
        required=False,
        help_text=_("Up to %(size)s per file; on a phone you can take a photo or video directly.")
        % {"size": human_size(MAX_ATTACHMENT_BYTES)},
        widget=MultipleFileInput(
            attrs={
                "accept": "image/*,audio/*,video/*,.pdf,.doc,.docx,.xls,.xlsx,.ofd,.txt",
            }
        ),
    )

    upload_sensitivity = forms.TypedChoiceField(
        label=_("Label of these files"),
        choices=[("", _("Same as the item")), *Sensitivity.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A file may carry a lower label than its item, never one above yours."),
    )

    def __init__(
        self, *args: Any, unit_required: bool = False, own_unit: Unit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post: the label it has (a new item's is ordinary), never a silent change.
        label = self.fields["sensitivity"]
        assert isinstance(label, forms.TypedChoiceField)
        label.empty_value = self.initial.get("sensitivity", Sensitivity.ORDINARY)
        if own_unit is not None:
            # A unit does not report jointly with itself.
            joint = self.fields["joint_units"]
            joint.queryset = joint.queryset.exclude(pk=own_unit.pk)  # type: ignore[attr-defined]
        if unit_required:
            self.fields["unit"].required = True
            # Office staff write down what a unit phoned, mailed or messaged in.
            self.fields["channel"] = forms.ChoiceField(
                label=_("Came in by"),
                choices=RELAYED_CHANNELS,
                initial=Channel.PHONE,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.order_fields(["unit", "channel"])
        else:
            del self.fields["unit"]

    def clean_event_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data["event_at"]
        if value is not None:
            try:
                value.astimezone(dt.UTC)  # stored in UTC
            except OverflowError:
                raise forms.ValidationError(
                    _("Enter a time between the years 1 and 9999."), code="out_of_range"
                ) from None
        return value

    def clean_writer_phone(self) -> str:
        # The service's own check, so that the form and the API accept the same numbers.
        return validate_writer_phone(self.cleaned_data["writer_phone"])

    def to_data(self) -> ItemData:
        d = self.cleaned_data
        return ItemData(
            title=d["title"],
            body=d["body"],
            kind=d["kind"],
            urgency=d["urgency"],
            writer_name=d["writer_name"],
            writer_phone=d["writer_phone"],
            approved_by=d["approved_by"],
            place=d["place"],
            event_at=d["event_at"],
            topics=[t for t in d["topics"].replace("，", ",").split(",") if t.strip()],
            joint_unit_ids=[u.pk for u in d["joint_units"]],
            sensitivity=d["sensitivity"],
        )


# The filter fields the lists share (the item list, the desk inbox, the search page).
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def words_filter() -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Search titles and text"), "type": "search"}
        ),
    )


def status_filter() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ItemStatus.choices]
    )


def urgency_filter() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("All urgencies")), *Urgency.choices]
    )


def kind_filter() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ItemKind.choices]
    )


def topic_filter() -> forms.ModelChoiceField[Topic]:
    return forms.ModelChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.all(), empty_label=_("All topics")
    )


def unit_filter(*, active_only: bool = True) -> forms.ModelChoiceField[Unit]:
    """Units to filter by: the active ones, or every unit (old items of a unit since retired)."""
    units = Unit.objects.filter(is_active=True) if active_only else Unit.objects.all()
    return forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=units, empty_label=_("All units")
    )


class ItemFilterForm(StyledForm):
    q = words_filter()
    status = status_filter()
    urgency = urgency_filter()
    kind = kind_filter()
    unit = unit_filter()


class LabelForm(StyledForm):
    """The desk's change of an item's label: a lowering needs a reason."""

    sensitivity = forms.TypedChoiceField(
        label=_("New label"), choices=Sensitivity.choices, coerce=int
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Required when the label is lowered; kept in the audit log."),
    )
