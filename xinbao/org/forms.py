"""Forms of the org screens; they parse, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import Role
from xinbao.lib.forms import StyledForm, data_from, initial_from
from xinbao.org.importing import ImportKind
from xinbao.org.models import (
    DirectPointType,
    OfficeProfile,
    Person,
    Position,
    Unit,
    UnitClass,
    UnitKind,
)
from xinbao.org.services import (
    FIRST_RUN_ROLES,
    OfficeData,
    OfficeUserData,
    PersonData,
    UnitClassData,
    UnitData,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's refusal on the form, each message by its field, marked invalid.

    ``StyledForm`` marks fields while cleaning; a service refuses after that, so the
    fields it names are marked here.
    """
    form.add_error(None, exc)
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            css = widget.attrs.get("class", "")
            if "is-invalid" not in css.split():
                widget.attrs["class"] = f"{css} is-invalid".strip()


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class UnitFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Code, name or short name")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(UnitKind.choices, _("All kinds"))
    )
    unit_class = forms.ModelChoiceField(
        label=_("Class"),
        required=False,
        queryset=UnitClass.objects.all(),
        empty_label=_("All classes"),
    )


class PersonFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, phone or email")}),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=Unit.objects.all(), empty_label=_("All units")
    )
    position = forms.ChoiceField(
        label=_("Position"),
        required=False,
        choices=_blank(Position.choices, _("Any position")),
    )


class UnitForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    direct_point_type = forms.ChoiceField(
        label=_("Direct point type"),
        required=False,
        choices=_blank(DirectPointType.choices, "—"),
        help_text=_("Only for a direct reporting point."),
    )
    unit_class = forms.ModelChoiceField(
        label=_("Class"), queryset=UnitClass.objects.filter(is_active=True)
    )
    parent = forms.ModelChoiceField(
        label=_("Parent unit"), required=False, queryset=Unit.objects.all()
    )
    county = forms.ModelChoiceField(
        label=_("County credited"),
        required=False,
        queryset=Unit.objects.filter(kind=UnitKind.COUNTY),
        help_text=_("A direct point's score is also counted for this county."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    fax = forms.CharField(label=_("Fax"), max_length=32, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, unit: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit is not None:
            parent = self.fields["parent"]
            assert isinstance(parent, forms.ModelChoiceField)
            parent.queryset = Unit.objects.exclude(pk=unit.pk)
            # A retired class stays offered to the units already in it.
            unit_class = self.fields["unit_class"]
            assert isinstance(unit_class, forms.ModelChoiceField)
            unit_class.queryset = UnitClass.objects.filter(
                Q(is_active=True) | Q(pk=unit.unit_class_id)
            )

    @staticmethod
    def initial_for(unit: Unit) -> dict[str, Any]:
        return initial_from(unit, UnitData)

    def to_data(self) -> UnitData:
        return data_from(self, UnitData)


class PersonForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all())
    name = forms.CharField(label=_("Name"), max_length=50)
    title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    office_phone = forms.CharField(label=_("Office phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    wecom_userid = forms.CharField(label=_("WeCom user id"), max_length=64, required=False)
    dingtalk_userid = forms.CharField(label=_("DingTalk user id"), max_length=64, required=False)

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return initial_from(person, PersonData)

    def to_data(self) -> PersonData:
        return data_from(self, PersonData)


class AssignForm(StyledForm):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    started_on = forms.DateField(
        label=_("From"),
        widget=DATE_INPUT,
        help_text=_("A new head or deputy replaces the current one from this day."),
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("started_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = unit.people.all()


class EndForm(StyledForm):
    ended_on = forms.DateField(
        label=_("Until"),
        widget=DATE_INPUT,
        help_text=_("The first day the person no longer holds the position."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("ended_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ImportForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportKind.choices,
        initial=ImportKind.UNITS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GB18030, as Excel saves it) or XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


class UnitClassForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    rank = forms.IntegerField(
        label=_("Order"), min_value=0, initial=1, help_text=_("Classes are listed in this order.")
    )
    quota_per_month = forms.IntegerField(
        label=_("Items owed per month"), min_value=0, max_value=32767, initial=4
    )
    adoptions_per_month = forms.IntegerField(
        label=_("Adoptions expected per month"), min_value=0, max_value=32767, initial=0
    )

    @staticmethod
    def initial_for(unit_class: UnitClass) -> dict[str, Any]:
        return initial_from(unit_class, UnitClassData)

    def to_data(self) -> UnitClassData:
        return data_from(self, UnitClassData)


class OfficeForm(StyledForm):
    name = forms.CharField(
        label=_("Office name"),
        max_length=100,
        help_text=_("As printed on the documents the office issues."),
    )
    city = forms.CharField(label=_("City"), max_length=50)
    contact = forms.CharField(
        label=_("Contact line for documents"),
        max_length=200,
        required=False,
        help_text=_("Printed on chase notices: the section and its duty phone."),
    )
    fax = forms.CharField(label=_("Fax"), max_length=32, required=False)

    @staticmethod
    def initial_for(office: OfficeProfile | None) -> dict[str, Any]:
        return {} if office is None else initial_from(office, OfficeData)

    def to_data(self) -> OfficeData:
        return data_from(self, OfficeData)


class OfficeUserForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, r.label) for r in Role if r in FIRST_RUN_ROLES]
    )
    username = forms.CharField(label=_("Login name"), max_length=150)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)

    def to_data(self) -> OfficeUserData:
        return data_from(self, OfficeUserData)
