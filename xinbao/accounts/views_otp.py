"""The second-factor pages: enter a code, enrol an authenticator, and the security
administrator's reset (services in ``second_factor.py``)."""

from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinbao.accounts import second_factor
from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import User
from xinbao.accounts.permissions import require
from xinbao.lib.forms import StyledForm

#: The key of an authenticator being enrolled, kept in the session until a code confirms it.
ENROL_KEY = "xinbao_second_factor_key"


class CodeForm(StyledForm):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = help_text


def _next(request: AuthedRequest) -> str:
    """Where the user was going, if it is a page of this site; the home page otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
def verify(request: AuthedRequest) -> HttpResponse:
    """After the password: a code from the authenticator, or a recovery code."""
    user = request.user
    if not second_factor.required_for(user):
        return redirect(_next(request))
    if not second_factor.has_authenticator(user):
        return redirect("accounts:second_factor_enrol")
    form = CodeForm(
        request.POST or None,
        help_text=_(
            "The six digits your authenticator app shows for Xinbao, or one of your recovery "
            "codes if the phone is not at hand."
        ),
    )
    if request.method == "POST" and form.is_valid():
        outcome = second_factor.verify(user=user, code=form.cleaned_data["code"], request=request)
        if outcome.device is not None:
            django_otp.login(request, outcome.device)
            if outcome.recovery_left is not None:
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(left)s are left. Each works only once: "
                        "if the phone is lost, ask the security administrator to reset your "
                        "second factor."
                    )
                    % {"left": outcome.recovery_left},
                )
            return redirect(_next(request))
        if outcome.locked:
            # The lockout page replaces this answer (django-axes' middleware).
            logout(request)
            return HttpResponse(status=403)
        if outcome.wait_until is not None:
            local = timezone.localtime(outcome.wait_until)
            form.add_error(
                "code",
                _("Too many wrong codes in a row: try again after %(time)s.")
                % {"time": formats.time_format(local, "H:i:s")},
            )
        else:
            form.add_error(
                "code",
                _(
                    "Wrong code. Check the phone's clock and type the code the app shows now. "
                    "Wrong codes count toward the account's lockout."
                ),
            )
    return render(
        request, "accounts/second_factor_verify.html", {"form": form, "next": _next(request)}
    )


@login_required
def enrol(request: AuthedRequest) -> HttpResponse:
    """Enrol an authenticator: scan the QR code (or type the secret), confirm with a code, then
    read the recovery codes, shown this once."""
    user = request.user
    if not second_factor.required_for(user):
        return redirect(_next(request))
    if second_factor.has_authenticator(user):
        return redirect("accounts:second_factor")
    key = request.session.get(ENROL_KEY)
    if not isinstance(key, str):
        key = second_factor.new_key()
        request.session[ENROL_KEY] = key
    form = CodeForm(
        request.POST or None,
        help_text=_("The six digits the app shows for Xinbao once you have added the account."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = second_factor.enrol(
                user=user, key=key, code=form.cleaned_data["code"], request=request
            )
        except second_factor.SecondFactorError:
            return redirect("accounts:second_factor")
        if done is not None:
            device, codes = done
            del request.session[ENROL_KEY]
            django_otp.login(request, device)
            return render(
                request,
                "accounts/second_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error(
            "code",
            _(
                "This code does not match. Check that the phone's clock is right and type the "
                "code the app shows now."
            ),
        )
    setup = second_factor.enrolment(user=user, key=key)
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "secret": setup.secret,
            "qr": second_factor.qr_svg(setup.url),
            "next": _next(request),
        },
    )


@login_required
@require_POST
def reset(request: AuthedRequest, pk: int) -> HttpResponse:
    """The security administrator removes a user's authenticator and recovery codes."""
    require(second_factor.can_reset(request.user))
    user = get_object_or_404(User.objects.exclude(pk=request.user.pk), pk=pk)
    second_factor.reset(actor=request.user, user=user, request=request)
    messages.success(
        request,
        _("%(name)s's second factor is reset: an authenticator is enrolled at the next login.")
        % {"name": user},
    )
    return redirect("accounts:user_list")
