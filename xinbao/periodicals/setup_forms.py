"""Forms of the setup pages (periodicals, distribution, readers, routing): parsing only; the
services in ``periodicals.setup`` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import Role, User
from xinbao.items.models import Urgency
from xinbao.lib.forms import StyledForm, data_from, initial_from, style_fields
from xinbao.org.models import Person
from xinbao.periodicals.models import DistributionGroup, Frequency, Periodical, SignerRule
from xinbao.periodicals.routing import SIGNER_ROLES
from xinbao.periodicals.setup import EntryData, PeriodicalData


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's refusal on the form, each message by its field, marked invalid."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            css = widget.attrs.get("class", "")
            if "is-invalid" not in css.split():
                widget.attrs["class"] = f"{css} is-invalid".strip()


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name or obj.username}（{obj.get_role_display()}）"


class UserMultipleChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name or obj.username}（{obj.get_role_display()}）"


class PersonChoiceField(forms.ModelChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.unit.name}）"


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("role", "full_name", "username")


class PeriodicalForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    masthead = forms.CharField(
        label=_("Masthead"),
        max_length=50,
        required=False,
        help_text=_("Printed in red at the top of every issue; the name when left empty."),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    issuing_office = forms.CharField(
        label=_("Issuing office"),
        max_length=100,
        help_text=_("Printed under the masthead and in the footer, e.g. 中共××市委办公室."),
    )
    signer_rule = forms.ChoiceField(
        label=_("Who signs"), choices=SignerRule.choices, initial=SignerRule.BY_URGENCY
    )
    section_check = forms.BooleanField(
        label=_("The section chief checks each issue before signature"),
        required=False,
        initial=True,
    )
    countersign = forms.BooleanField(
        label=_("The section chief countersigns a direct-route issue after its signature"),
        required=False,
    )
    duty_officer_may_issue = forms.BooleanField(
        label=_("The duty officer may compile and send an issue on the direct route at night"),
        required=False,
    )
    copies = forms.IntegerField(label=_("Copies printed"), min_value=1, initial=30)
    start_year = forms.IntegerField(
        label=_("Year the starting numbers apply to"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("For an office moving to Xinbao mid-year; leave empty to start at 1."),
    )
    start_number = forms.IntegerField(
        label=_("Number of the first issue in that year"), min_value=1, initial=1
    )
    start_total_number = forms.IntegerField(
        label=_("Overall number of the first issue"), min_value=1, initial=1
    )

    def to_data(self) -> PeriodicalData:
        return data_from(self, PeriodicalData)

    @staticmethod
    def initial_for(periodical: Periodical) -> dict[str, Any]:
        return initial_from(periodical, PeriodicalData)


class NewPeriodicalForm(PeriodicalForm):
    readers = UserMultipleChoiceField(
        label=_("Readers in the reading room"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Logins on the distribution list become readers as you add them; choose others here."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["readers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = active_users()


class EntryForm(StyledForm):
    group = forms.ChoiceField(label=_("Group"), choices=DistributionGroup.choices)
    label = forms.CharField(
        label=_("Recipient"),
        max_length=100,
        required=False,
        help_text=_("As printed; the person's or login's name when left empty."),
    )
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none(), required=False)
    user = UserChoiceField(
        label=_("Login (reads in the reading room)"),
        queryset=User.objects.none(),
        required=False,
    )
    copies = forms.IntegerField(label=_("Copies"), min_value=1, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        user = self.fields["user"]
        assert isinstance(person, forms.ModelChoiceField)
        assert isinstance(user, forms.ModelChoiceField)
        person.queryset = Person.objects.select_related("unit").order_by("unit__code", "name")
        user.queryset = active_users()

    def to_data(self) -> EntryData:
        return data_from(self, EntryData)


class ReaderForm(StyledForm):
    reader = UserChoiceField(label=_("Add a reader"), queryset=User.objects.none())

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reader"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates


#: The roles an urgency may route to, in the order the form offers them.
SIGNER_CHOICES = [(r.value, r.label) for r in Role if r in SIGNER_ROLES]


class RoutesForm(StyledForm):
    """One choice of signer per urgency, from the least to the most urgent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for urgency in Urgency:
            self.fields[urgency.value] = forms.ChoiceField(
                label=urgency.label, choices=SIGNER_CHOICES
            )
        style_fields(self)  # StyledForm styled the fields there were: none yet

    def table(self) -> dict[str, str]:
        return {u.value: self.cleaned_data[u.value] for u in Urgency}
