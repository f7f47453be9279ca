"""Forms of the inbound pages."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class ReleaseChoices:
    """The units and reporters a release may name, read once for every form on the page."""

    units: dict[int, Unit]
    reporters: dict[int, User]

    @classmethod
    def load(cls) -> ReleaseChoices:
        units = Unit.objects.filter(is_active=True).order_by("kind", "code")
        reporters = (
            User.objects.filter(role=Role.REPORTER, is_active=True, unit__isnull=False)
            .select_related("unit")
            .order_by("unit__code", "full_name")
        )
        return cls({u.pk: u for u in units}, {r.pk: r for r in reporters})


class ReleaseForm(StyledForm):
    unit = forms.TypedChoiceField(label=_("Unit credited"), coerce=int)
    author = forms.TypedChoiceField(
        label=_("Reporter who completes it"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A reporter of the unit; left empty, the item is yours."),
    )
    writer_name = forms.CharField(label=_("Writer"), max_length=50)
    writer_phone = forms.CharField(label=_("Writer's phone"), max_length=32)
    submit = forms.BooleanField(label=_("Submit at once"), required=False)

    def __init__(self, *args: Any, choices: ReleaseChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        unit_field.choices = [("", "---------"), *((pk, u.name) for pk, u in choices.units.items())]
        author_field = self.fields["author"]
        assert isinstance(author_field, forms.TypedChoiceField)
        author_field.choices = [
            ("", "---------"),
            *((pk, f"{r.unit} · {r}") for pk, r in choices.reporters.items()),
        ]

    def clean_unit(self) -> Unit:
        return self.choices.units[self.cleaned_data["unit"]]

    def clean_author(self) -> User | None:
        pk = self.cleaned_data["author"]
        return None if pk is None else self.choices.reporters[pk]

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
