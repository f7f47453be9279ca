"""Panels other apps add to an object's page, as a registry.

An object's page (an incident's, say) knows nothing of the apps above it that hold material
about the object. Such an app registers a provider for the kind of page in its
``AppConfig.ready`` with the panel's place on the page; a provider receives the signed-in user
and the object and returns a :class:`Panel` (a template and its context) or None where it has
nothing to show that user. The page renders :func:`rendered` for its kind. Kept here,
app-free, like the menu (``lib/menu.py``) and the home page (``lib/home.py``), so that a lower
app shows what a higher one links to it without importing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    """One part of an object's page: a template rendered with this context alone."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


Provider = Callable[[Any, Any], Panel | None]

_providers: dict[str, list[tuple[int, Provider]]] = {}


def register(*, kind: str, order: int = 100) -> Callable[[Provider], Provider]:
    """Register a provider of panels on the pages of ``kind`` ("incident"); ``order`` places
    its panel on the page (lower first)."""

    def add(provider: Provider) -> Provider:
        found = _providers.setdefault(kind, [])
        if all(existing is not provider for _, existing in found):
            found.append((order, provider))
        return provider

    return add


def panels_for(kind: str, user: Any, obj: Any) -> list[Panel]:
    """The panels the user has on ``obj``'s page, in page order (ties keep registration
    order)."""
    providers = sorted(_providers.get(kind, []), key=lambda pair: pair[0])
    found = [provider(user, obj) for _, provider in providers]
    return [panel for panel in found if panel is not None]


def rendered(
    kind: str, user: Any, obj: Any, request: HttpRequest | None = None
) -> list[SafeString]:
    """The panels rendered to HTML (with the request, so that a panel's form has its CSRF
    token)."""
    return [
        render_to_string(panel.template, dict(panel.context), request=request)
        for panel in panels_for(kind, user, obj)
    ]
