"""Send a user whose second factor is missing, or whose password must change, to the page that
settles it before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from xinbao.accounts.second_factor import gate


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(
                (
                    reverse("accounts:password_change"),
                    reverse("accounts:logout"),
                    # The second factor comes first (SecondFactorRequiredMiddleware).
                    "/accounts/second-factor/",
                    "/static/",
                    "/api/",
                )
            )
        ):
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
