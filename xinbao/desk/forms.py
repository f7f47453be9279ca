"""Forms of the desk: the inbox filter, the edit form, and one form per decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.desk.selectors import InboxFilter
from xinbao.desk.services import HIGHER_LEVELS
from xinbao.items.forms import (
    DATE_INPUT,
    kind_filter,
    topic_filter,
    unit_filter,
    urgency_filter,
    words_filter,
)
from xinbao.items.models import Item, ItemStatus
from xinbao.lib.forms import StyledForm


class InboxFilterForm(StyledForm):
    q = words_filter()
    unit = unit_filter()
    kind = kind_filter()
    urgency = urgency_filter()
    topic = topic_filter()
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            *[(v, label) for v, label in ItemStatus.choices if v not in ("draft", "withdrawn")],
        ],
    )
    date_from = forms.DateField(label=_("Submitted from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Submitted until"), required=False, widget=DATE_INPUT)

    def to_filter(self) -> InboxFilter:
        if not self.is_valid():
            return InboxFilter()
        d = self.cleaned_data
        return InboxFilter(
            q=d["q"].strip(),
            unit=d["unit"],
            kind=d["kind"],
            urgency=d["urgency"],
            topic=d["topic"],
            state=d["state"],
            date_from=d["date_from"],
            date_to=d["date_to"],
        )


class EditForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain paragraphs; one line per paragraph."),
    )
    note = forms.CharField(
        label=_("What was changed"),
        max_length=200,
        required=False,
        help_text=_("A short note shown in the list of versions."),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def active_periodicals() -> QuerySet[Any]:
    """The periodicals still published, reached through the adoption's foreign key: the desk
    sits below periodicals (they read its adoptions and versions) and imports nothing of them."""
    model = Adoption.periodical.field.related_model
    assert not isinstance(model, str)
    return model._default_manager.filter(is_active=True)


class AdoptForm(StyledForm):
    periodicals = forms.ModelMultipleChoiceField(
        label=_("Periodicals"),
        queryset=Item.objects.none(),  # replaced by the active periodicals
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )
    comment = forms.CharField(
        label=_("Comment to the unit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["periodicals"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = active_periodicals()


class ReturnForm(StyledForm):
    comment = forms.CharField(
        label=_("What should be revised"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason it is not adopted"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ForwardForm(StyledForm):
    to_office = forms.CharField(
        label=_("Forwarded to"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "省委办公厅信息处"}),
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class HigherAdoptionForm(StyledForm):
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[(v, label) for v, label in AdoptionLevel.choices if v in HIGHER_LEVELS],
    )
    publication = forms.CharField(
        label=_("Publication"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "《每日汇报》"}),
    )
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE_INPUT)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"adopted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ArchiveForm(StyledForm):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class MergeForm(StyledForm):
    items = forms.ModelMultipleChoiceField(
        queryset=Item.objects.none(), widget=forms.MultipleHiddenInput
    )
    title = forms.CharField(label=_("Title of the comprehensive item"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}))
    periodicals = forms.ModelMultipleChoiceField(
        label=_("Adopt at once into"),
        queryset=Item.objects.none(),  # replaced by the active periodicals
        required=False,
        help_text=_("Optional; the comprehensive item can be adopted later as well."),
    )
    comment = forms.CharField(label=_("Comment to the units"), required=False, max_length=500)

    def __init__(self, *args: Any, sources: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = self.fields["items"]
        periodicals = self.fields["periodicals"]
        assert isinstance(items, forms.ModelMultipleChoiceField)
        assert isinstance(periodicals, forms.ModelMultipleChoiceField)
        items.queryset = sources
        periodicals.queryset = active_periodicals()
