"""Response headers every page carries (the Content-Security-Policy is django-csp's)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

PRIVATE_NO_STORE = "private, no-store"


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in user or a token.

    What a signed-in user sees is theirs: neither a shared proxy nor the browser's history
    may keep it after they log out. Static files are served by WhiteNoise before this
    middleware runs and keep their long cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Asked before and after the view: logging in signs the user in during the view, and
        # logging out signs them out while the answer still belongs to them.
        signed_in = _signed_in(request)
        response = self.get_response(request)
        if signed_in or _signed_in(request) or "HTTP_AUTHORIZATION" in request.META:
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and bool(user.is_authenticated)
