"""Send a user whose second factor is missing, or whose password must change, to the page that
settles it before anything else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.second_factor import PREFIX, gate


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.must_change_password or password_expired(user))
            and not request.path.startswith(
                (
                    reverse("accounts:password_change"),
                    reverse("accounts:logout"),
                    # The second factor comes first (SecondFactorRequiredMiddleware).
                    PREFIX,
                    "/static/",
                    "/api/",
                )
            )
        ):
            if not user.must_change_password:
                messages.warning(
                    request,
                    _("Your password is older than %(days)d days: please choose a new one.")
                    % {"days": settings.XINBAO_PASSWORD_MAX_AGE_DAYS},
                )
            return redirect("accounts:password_change")
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A user whose role needs a second factor and whose session is not yet verified reaches
    only the second-factor pages, logout and static files; every other page redirects there.

    The API treats such a session as nobody logged in, so only an API token authenticates
    there; tokens are made on the token page, behind this check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return gate(request) or self.get_response(request)


def password_expired(user: object) -> bool:
    """The password is older than ``XINBAO_PASSWORD_MAX_AGE_DAYS`` (0: passwords never expire)."""
    days = int(settings.XINBAO_PASSWORD_MAX_AGE_DAYS)
    changed = getattr(user, "password_changed_at", None)
    if days <= 0 or changed is None:
        return False
    return bool(timezone.now() - changed > dt.timedelta(days=days))


class LoginThrottleMiddleware:
    """Answer a login attempt that must wait (``throttle.py``) with 429 "try again in N
    seconds" before its password is checked; the form keeps the user name typed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == reverse("accounts:login"):
            from xinbao.accounts import throttle
            from xinbao.accounts.forms import LoginForm
            from xinbao.audit.services import client_address

            address = client_address(request)
            wait = throttle.wait_seconds(address)
            if wait:
                throttle.count_refusal(address)
                form = LoginForm(request, initial={"username": request.POST.get("username", "")})
                response = render(
                    request,
                    "accounts/login_wait.html",
                    {"form": form, "wait": wait, "next": request.POST.get("next", "")},
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
