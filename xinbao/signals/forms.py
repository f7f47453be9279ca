from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinbao.lib.forms import StyledForm
from xinbao.lib.levels import Category
from xinbao.org.models import Unit
from xinbao.signals.models import SignalState


def _units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by("kind", "code")


class DismissForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the signal is dismissed.")},
    )


class DemandForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit concerned"), queryset=Unit.objects.none())
    matter = forms.CharField(
        label=_("What to verify"),
        max_length=200,
        required=False,
        help_text=_("Empty: “Verify:” and what the signal is about."),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Category.choices, initial=Category.SOCIAL_SECURITY
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = _units()


class FilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *SignalState.choices], required=False
    )
