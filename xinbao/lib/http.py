"""Small HTTP helpers shared by views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _


def pick_template(request: HttpRequest, full: str, partial: str) -> str:
    """The partial for an htmx request that targets it, the whole page otherwise."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return partial
    return full


def require(allowed: bool) -> None:
    """Refuse with 403 when a role may not use a page at all (objects use 404 instead)."""
    if not allowed:
        raise PermissionDenied(_("Your role may not use this page."))
