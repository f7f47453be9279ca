"""Small HTTP helpers shared by views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from xinbao.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind ``login_required``: its user is one of ours."""

    user: User
    htmx: HtmxDetails


def pick_template(request: HttpRequest, full: str, partial: str) -> str:
    """The partial for an htmx request that targets it, the whole page otherwise."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return partial
    return full
