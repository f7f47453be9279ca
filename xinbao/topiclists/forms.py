from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinbao.items.models import ItemKind
from xinbao.lib.forms import StyledForm
from xinbao.org.models import UnitClass
from xinbao.topiclists.models import TopicList


class MonthField(forms.DateField):
    """A month typed as 2026-12 (an ``<input type="month">``); the first day of it."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class ListChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, TopicList)
        return obj.title


class CreateListForm(StyledForm):
    month = MonthField(label=_("Month"))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left empty: the month's usual title."),
    )
    foreword = forms.CharField(
        label=_("Foreword"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    copy_from = ListChoiceField(
        label=_("Start from"),
        queryset=TopicList.objects.none(),
        required=False,
        empty_label=_("An empty list"),
        help_text=_("Copy the topics of an earlier list, to edit them."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["copy_from"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = TopicList.objects.order_by("-month")


class EditListForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    foreword = forms.CharField(
        label=_("Foreword"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ClassesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, UnitClass)
        return obj.name


class TopicForm(StyledForm):
    title = forms.CharField(label=_("Topic"), max_length=200)
    wanted = forms.CharField(
        label=_("What is wanted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the office asks units to report on this topic."),
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=500,
        required=False,
        help_text=_("Words that find items answering the topic, separated by 、 or commas."),
    )
    suggested_kind = forms.ChoiceField(
        label=_("Suggested kind"),
        required=False,
        choices=[("", "—"), *ItemKind.choices],
    )
    unit_classes = ClassesField(
        label=_("Aimed at unit classes"),
        queryset=UnitClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to aim the topic at every unit."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit_classes"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = UnitClass.objects.filter(is_active=True).order_by("rank", "pk")
        # Checkboxes take their own class, not the text input's.
        field.widget.attrs.pop("class", None)


class LinkForm(StyledForm):
    """The office links any item it sees by its number; a reporter picks one of their unit's."""

    item = forms.IntegerField(label=_("Item number"), min_value=1)
