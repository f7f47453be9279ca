from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import User
from xinbao.lib.forms import StyledForm
from xinbao.packs.models import Occasion
from xinbao.packs.services import LEADER_ROLES

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class LeaderChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return f"{obj.full_name or obj.username} ({obj.get_role_display()})"


class PackForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    occasion = forms.ChoiceField(label=_("Occasion"), choices=Occasion.choices)
    occasion_at = forms.DateTimeField(
        label=_("Occasion at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
        help_text=_("When the meeting, visit or decision takes place."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("Keywords separated by spaces or commas: what the builder offers."),
    )
    recipients = LeaderChoiceField(
        label=_("For"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one leader the pack is for.")},
    )
    foreword = forms.CharField(
        label=_("Editor's foreword"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipients"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = User.objects.filter(role__in=LEADER_ROLES, is_active=True).order_by(
            "role", "full_name", "pk"
        )
        # Checkboxes, not a select: the styling helper gave them a select's class.
        field.widget.attrs.pop("class", None)


class FigureForm(StyledForm):
    label = forms.CharField(label=_("Label"), max_length=100)
    value = forms.CharField(label=_("Value"), max_length=50)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)


class TextForm(StyledForm):
    title = forms.CharField(label=_("Heading"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the text.")},
    )


class NoteForm(StyledForm):
    note = forms.CharField(
        label=_("Editor's note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
