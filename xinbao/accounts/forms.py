from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import ADMIN_ROLES, Role, User
from xinbao.lib.forms import StyledForm, style_fields


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    error_messages = {
        "invalid_login": _(
            "Wrong user name or password. After %(limit)s failures in a row the account is "
            "locked for a while."
        ),
        "inactive": _("This account is disabled."),
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )


class TokenForm(StyledForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the county's OA system."),
    )


class UserForm(forms.ModelForm[User]):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=True),
        required=False,
        help_text=_("Required for a new user, who must change it at first login."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "role", "unit", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField) and unit.queryset is not None
        # The user's own foreign key names the unit model: accounts imports nothing of org.
        unit.queryset = unit.queryset.filter(is_active=True)
        if self.instance.pk is None:
            self.fields["password"].required = True
        # Administrator accounts are made only with `xinbao createadmin` on the server,
        # so no administrator can make another (the three roles stay separate).
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            c for c in Role.choices if c[0] not in ADMIN_ROLES
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        unit = data.get("unit")
        if role == Role.REPORTER and unit is None:
            self.add_error("unit", _("A reporter belongs to a unit."))
        if role != Role.REPORTER and unit is not None:
            self.add_error("unit", _("Only reporters belong to a unit."))
        password = data.get("password")
        if password:
            try:
                validate_password(password, self.instance)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data
