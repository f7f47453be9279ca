from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import Role, User
from xinbao.lib.forms import StyledForm

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class LiaisonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return obj.full_name or obj.username


class ShareForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    source_url = forms.URLField(
        label=_("Source address"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_("Where the post was seen, if online."),
    )


class RequestForm(ShareForm):
    liaison = LiaisonChoiceField(label=_("Liaison"), queryset=User.objects.none())
    question = forms.CharField(
        label=_("Answer requested"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the department should find out or say."),
    )
    due_at = forms.DateTimeField(
        label=_("Answer by"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )
    post = forms.IntegerField(required=False, widget=forms.HiddenInput)
    signal = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["liaison", "title", "text", "source_url", "question", "due_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        liaison = self.fields["liaison"]
        assert isinstance(liaison, forms.ModelChoiceField)
        liaison.queryset = User.objects.filter(role=Role.PARTNER_LIAISON, is_active=True).order_by(
            "full_name", "pk"
        )

    def clean_due_at(self) -> Any:
        due = self.cleaned_data["due_at"]
        if due is not None and due <= timezone.now():
            raise forms.ValidationError(_("The deadline must be in the future."))
        return due


class AnswerForm(StyledForm):
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the answer.")},
    )
