from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.items.models import Item
from xinbao.lib.forms import StyledForm
from xinbao.org.models import Unit, UnitClass
from xinbao.research.models import CommissionForm, CommissionSource
from xinbao.research.services import DEFAULT_REQUIREMENTS


class UnitChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Unit)
        return obj.name


class CommissionEditForm(StyledForm):
    """A commission's fields; the units are chosen by class, one by one, or both."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={"required": _("Give the commission a subject.")},
    )
    source = forms.ChoiceField(label=_("Source of the topic"), choices=CommissionSource.choices)
    form = forms.ChoiceField(label=_("Form"), choices=CommissionForm.choices)
    requirements = forms.CharField(
        label=_("Writing requirements"),
        initial=DEFAULT_REQUIREMENTS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say what the units are to write.")},
    )
    due_on = forms.DateField(
        label=_("Due on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the due day.")},
    )
    unit_classes = forms.ModelMultipleChoiceField(
        label=_("Every unit of these classes"),
        queryset=UnitClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = UnitChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        classes = self.fields["unit_classes"]
        units = self.fields["units"]
        assert isinstance(classes, forms.ModelMultipleChoiceField)
        assert isinstance(units, forms.ModelMultipleChoiceField)
        classes.queryset = UnitClass.objects.all()
        units.queryset = Unit.objects.filter(is_active=True).order_by("kind", "code")
        # A checkbox list is not styled as one select.
        classes.widget.attrs.pop("class", None)

    def clean_due_on(self) -> dt.date:
        due: dt.date = self.cleaned_data["due_on"]
        if due <= timezone.localdate():
            raise forms.ValidationError(_("The due day must be after today."))
        return due

    def chosen_units(self) -> list[Unit]:
        """The units of the chosen classes, then those chosen one by one, each once."""
        data = self.cleaned_data
        found = list(
            Unit.objects.filter(
                is_active=True, unit_class__in=data.get("unit_classes") or []
            ).order_by("kind", "code")
        )
        found += list(data.get("units") or [])
        return list(dict.fromkeys(found))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.chosen_units():
            raise forms.ValidationError(_("Choose at least one unit, by class or one by one."))
        return data


class ItemChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Item)
        day = timezone.localdate(obj.submitted_at).isoformat() if obj.submitted_at else ""
        return f"{obj.title} ({day})" if day else obj.title


class AnswerForm(StyledForm):
    item = ItemChoiceField(
        label=_("Item of your unit"),
        queryset=Item.objects.none(),
        error_messages={
            "required": _("Choose the item that answers the commission."),
            "invalid_choice": _("Choose one of your unit's submitted items."),
        },
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = items
