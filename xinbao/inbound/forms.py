"""Forms of the inbound pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import Role, User
from xinbao.inbound.models import INBOUND_CHANNELS, InboundState
from xinbao.items.services import validate_writer_phone
from xinbao.lib.forms import StyledForm
from xinbao.org.models import Unit


class FilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *InboundState.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *((c.value, c.label) for c in INBOUND_CHANNELS)],
    )


class ReporterField(forms.ModelChoiceField):  # type: ignore[type-arg]  # (django-stubs: the model is set by the queryset)
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit} · {obj}"


class ReleaseForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit credited"), queryset=Unit.objects.none())
    author = ReporterField(
        label=_("Reporter who completes it"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A reporter of the unit; left empty, the item is yours."),
    )
    writer_name = forms.CharField(label=_("Writer"), max_length=50)
    writer_phone = forms.CharField(label=_("Writer's phone"), max_length=32)
    submit = forms.BooleanField(label=_("Submit at once"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = Unit.objects.filter(is_active=True).order_by("kind", "code")
        author_field = self.fields["author"]
        assert isinstance(author_field, forms.ModelChoiceField)
        author_field.queryset = (
            User.objects.filter(role=Role.REPORTER, is_active=True)
            .select_related("unit")
            .order_by("unit__code", "full_name")
        )

    def clean_writer_phone(self) -> str:
        return validate_writer_phone(self.cleaned_data["writer_phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, author = data.get("unit"), data.get("author")
        if unit is not None and author is not None and author.unit_id != unit.pk:
            self.add_error("author", _("Choose a reporter of the chosen unit."))
        return data


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class PolicyForm(StyledForm):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in INBOUND_CHANNELS]
    )
    submit_at_once = forms.BooleanField(label=_("Submit at once"), required=False)
