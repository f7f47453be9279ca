"""Bootstrap classes on every widget, set once here rather than in each template."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.db import models

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    D = TypeVar("D", bound=DataclassInstance)
else:
    D = TypeVar("D")


def style_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def data_from(form: forms.BaseForm, data_class: type[D]) -> D:
    """A valid form's values as the service's data class, field by field of the same name.

    Fields of ``data_class`` that the form lacks keep their defaults.
    """
    names = {field.name for field in dataclasses.fields(data_class)}
    return data_class(**{name: v for name, v in form.cleaned_data.items() if name in names})


def initial_from(obj: models.Model, data_class: type[Any]) -> dict[str, Any]:
    """A form's initial values from a row, for the fields of the service's data class (a
    related row by its id, so that filling a form costs no query per foreign key)."""
    initial: dict[str, Any] = {}
    for field in dataclasses.fields(data_class):
        model_field = obj._meta.get_field(field.name)
        # A concrete field (a foreign key's attname is its id column); the data classes name
        # no reverse relation.
        assert isinstance(model_field, models.Field), field.name
        initial[field.name] = getattr(obj, model_field.attname)
    return initial
