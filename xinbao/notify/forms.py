"""Forms of the notification pages."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinbao.lib.forms import StyledForm
from xinbao.notify.models import CallOutcome, Channel, MessageState
from xinbao.notify.selectors import DeliveryFilter, event_names


def _event_choices(blank: str | None) -> list[tuple[str, str]]:
    choices = [(name, name) for name in event_names()]
    return [("", blank), *choices] if blank is not None else choices


class DeliveryFilterForm(StyledForm):
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices]
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *MessageState.choices]
    )
    event = forms.ChoiceField(label=_("Event"), required=False, choices=[])
    recipient = forms.CharField(
        label=_("Recipient"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, phone or address")}),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        event = self.fields["event"]
        assert isinstance(event, forms.ChoiceField)
        event.choices = _event_choices(str(_("Any event")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def to_filter(self) -> DeliveryFilter:
        """The filter of a valid form; an invalid one filters nothing rather than failing."""
        if not self.is_valid():
            return DeliveryFilter()
        d = self.cleaned_data
        return DeliveryFilter(
            channel=d["channel"],
            state=d["state"],
            event=d["event"],
            recipient=d["recipient"].strip(),
            date_from=d["date_from"],
            date_to=d["date_to"],
        )


class CallOutcomeForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was said, another number to try, who answered."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # style_fields knows selects and checkboxes; radio buttons are Bootstrap's form-check.
        self.fields["outcome"].widget.attrs["class"] = "form-check-input"


class PreferenceForm(StyledForm):
    email_digest = forms.BooleanField(
        label=_("Daily email digest of unread notifications"), required=False
    )
    wecom = forms.BooleanField(label=_("WeCom messages for normal notices"), required=False)


class TemplatePreviewForm(StyledForm):
    event = forms.ChoiceField(label=_("Event"), choices=[])
    context = forms.CharField(
        label=_("Sample context (JSON)"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_('An object such as {"title": "…"}; a "YYYY-MM-DD" string is read as a date.'),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        event = self.fields["event"]
        assert isinstance(event, forms.ChoiceField)
        event.choices = _event_choices(None)

    def clean_context(self) -> dict[str, Any]:
        raw = self.cleaned_data["context"]
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
                % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
            ) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The context must be a JSON object: {…}."))
        return value
