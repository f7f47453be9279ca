"""Small HTTP helpers shared by views."""

from __future__ import annotations

from django.http import HttpRequest


def pick_template(request: HttpRequest, full: str, partial: str) -> str:
    """The partial for an htmx request that targets it, the whole page otherwise."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return partial
    return full
