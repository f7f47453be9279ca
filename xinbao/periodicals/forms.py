"""Forms of the periodicals pages: parsing only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinbao.items.models import Item
from xinbao.lib.forms import StyledForm
from xinbao.org.models import Unit
from xinbao.periodicals.services import default_feedback_due


class IssueCreateForm(StyledForm):
    title = forms.CharField(
        label=_("Title of the issue"),
        max_length=200,
        required=False,
        help_text=_("Optional; printed under the masthead."),
    )


class AddItemsForm(StyledForm):
    items = forms.ModelMultipleChoiceField(
        label=_("Adopted items"),
        queryset=Item.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = candidates
        # Checkboxes, not a select: Bootstrap's form-select would style them wrongly.
        field.widget.attrs["class"] = "form-check-input"


class NoteForm(StyledForm):
    note = forms.CharField(
        label=_("Editor's note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PositionForm(StyledForm):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))], required=False)
    position = forms.IntegerField(label=_("Position"), min_value=1, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("direction") and not data.get("position"):
            raise forms.ValidationError(_("Say where the item goes."))
        return data


class CommentForm(StyledForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(StyledForm):
    comment = forms.CharField(label=_("Why it goes back"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviseForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))


class InstructionForm(StyledForm):
    text = forms.CharField(label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 5}))
    units = forms.ModelMultipleChoiceField(
        label=_("Units concerned"),
        queryset=Unit.objects.filter(is_active=True).order_by("code"),
        required=False,
        help_text=_("Left empty: the units that reported the item."),
    )
    feedback_due = forms.DateField(
        label=_("Feedback due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("feedback_due", default_feedback_due())
        super().__init__(*args, **kwargs)


class FeedbackForm(StyledForm):
    text = forms.CharField(
        label=_("What your unit has done"), widget=forms.Textarea(attrs={"rows": 6})
    )
