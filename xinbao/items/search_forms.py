"""The search page's form: the words and the filters, checked before any search runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import User
from xinbao.items.forms import (
    DATE_INPUT,
    kind_filter,
    status_filter,
    topic_filter,
    unit_filter,
    urgency_filter,
)
from xinbao.items.search import SearchFilters
from xinbao.lib.forms import StyledForm
from xinbao.org.models import UnitClass


class SearchForm(StyledForm):
    """A GET form: a bad value is an error next to its field, and what was typed stays.

    The unit filter is offered to the office's readers only: a reporter's search never leaves
    their own unit, so the field is not there for them (and a ``unit`` in the address is
    ignored).
    """

    q = forms.CharField(
        label=_("Words to find"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("For example: 防汛 转移群众")}
        ),
    )
    unit = unit_filter(active_only=False)
    unit_class = forms.ModelChoiceField(
        label=_("Unit class"),
        required=False,
        queryset=UnitClass.objects.all(),
        empty_label=_("All unit classes"),
    )
    kind = kind_filter()
    urgency = urgency_filter()
    status = status_filter()
    topic = topic_filter()
    date_from = forms.DateField(label=_("Submitted from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Submitted until"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.is_office_reader:
            del self.fields["unit"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error(
                "date_to", _("The last day comes before the first: swap them or widen the range.")
            )
        return cleaned

    def to_filters(self) -> SearchFilters:
        """The valid form's filters as the search takes them."""
        d = self.cleaned_data
        unit, unit_class, topic = d.get("unit"), d["unit_class"], d["topic"]
        return SearchFilters(
            unit=unit.pk if unit else None,
            unit_class=unit_class.pk if unit_class else None,
            kind=d["kind"],
            urgency=d["urgency"],
            status=d["status"],
            topic=topic.pk if topic else None,
            date_from=d["date_from"],
            date_to=d["date_to"],
        )
