"""Forms of the collection pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import User
from xinbao.incidents.access import visible_incidents
from xinbao.incidents.models import Incident, IncidentStatus
from xinbao.items.models import ItemKind
from xinbao.items.services import validate_writer_phone
from xinbao.lib.forms import StyledForm
from xinbao.monitor.models import Source, SourceKind, TermKind
from xinbao.monitor.services import SourceData
from xinbao.org.models import Unit

_URL = URLValidator(schemes=["http", "https"])


class SourceForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=SourceKind.choices,
        help_text=_(
            "Forums and public accounts have no feed of their own: add the RSS or Atom feed "
            "an exporter publishes for them."
        ),
    )
    url = forms.CharField(
        label=_("Address"),
        max_length=1000,
        help_text=_("The feed's or the page's full address, starting with http:// or https://."),
    )
    interval_minutes = forms.IntegerField(
        label=_("Check every (minutes)"), min_value=5, max_value=7 * 24 * 60, initial=30
    )

    def clean_url(self) -> str:
        value = str(self.cleaned_data["url"]).strip()
        try:
            _URL(value)
        except ValidationError:
            raise ValidationError(
                _(
                    "This is not a web address: give the full address, starting with http:// or https://."
                ),
                code="invalid_url",
            ) from None
        return value

    def data_object(self) -> SourceData:
        d = self.cleaned_data
        return SourceData(
            name=d["name"], kind=d["kind"], url=d["url"], interval_minutes=d["interval_minutes"]
        )

    @classmethod
    def of(cls, source: Source) -> SourceForm:
        return cls(
            initial={
                "name": source.name,
                "kind": source.kind,
                "url": source.url,
                "interval_minutes": source.interval_minutes,
            }
        )


class TermsForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=TermKind.choices)
    terms = forms.CharField(
        label=_("Terms"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One term a line; paste a whole list at once."),
    )

    def clean_terms(self) -> list[str]:
        lines = [line.strip() for line in str(self.cleaned_data["terms"]).splitlines()]
        terms = [line for line in lines if line]
        if not terms:
            raise ValidationError(_("Give at least one term."), code="empty")
        if long := [t for t in terms if len(t) > 100]:
            raise ValidationError(
                _("A term may have at most 100 characters: %(term)s"),
                code="too_long",
                params={"term": long[0][:20]},
            )
        if len(terms) > 5000:
            raise ValidationError(_("At most 5,000 terms at once."), code="too_many")
        return terms


class PromoteForm(StyledForm):
    unit = forms.ModelChoiceField(
        label=_("Credited to unit"), queryset=Unit.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.DYNAMIC)
    writer_phone = forms.CharField(label=_("Writer's phone"), max_length=32)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(is_active=True).order_by("kind", "code")

    def clean_writer_phone(self) -> str:
        return validate_writer_phone(str(self.cleaned_data["writer_phone"]))


class AttachForm(StyledForm):
    """Attach a post to one of the open incidents the user may see, newest first."""

    incident = forms.ModelChoiceField(
        label=_("Incident"), queryset=Incident.objects.none(), empty_label=None
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("What the post adds to the incident (optional)."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["incident"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            visible_incidents(user)
            .filter(status=IncidentStatus.OPEN)
            .order_by("-created_at", "-pk")
        )


class PostFilterForm(StyledForm):
    q = forms.CharField(label=_("Words"), max_length=100, required=False)
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.all(), required=False
    )
    hits = forms.ChoiceField(
        label=_("Watchlist hits"),
        required=False,
        choices=[("", _("All posts")), ("yes", _("With hits")), ("no", _("Without hits"))],
    )
    term = forms.CharField(label=_("Term"), max_length=100, required=False)
