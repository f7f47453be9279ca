"""Send a user whose password must change to the change form before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


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
                    "/static/",
                    "/api/",
                )
            )
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)
