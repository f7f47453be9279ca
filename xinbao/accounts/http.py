"""The request as our views and API operations see it: its user is one of ours."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from xinbao.accounts.models import User

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class AuthedRequest(HttpRequest):
    """A request behind ``login_required``: its user is one of ours."""

    user: User
    htmx: HtmxDetails


def api_user(request: HttpRequest) -> User:
    """The user the API's authentication found (a token's owner or the session's user)."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "operation is not behind authentication"
    return user
