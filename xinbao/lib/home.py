"""The home page as a registry: each app contributes the sections of what waits on the user.

The home page knows no app. An app registers a provider in its ``AppConfig.ready`` (through its
own ``home.py``) with the place of its sections on the page; a provider receives the signed-in
user and returns a :class:`Section` (a template and its context) or None where the user has
nothing there. Kept here, app-free, like the menu (``lib/menu.py``), so that the home page does
not import every app and no app imports the apps above it to show their work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: How many rows a list on the home page shows; the rest are on the app's own page.
HOME_LIMIT = 10


@dataclass(frozen=True)
class Section:
    """One part of the home page: a template rendered with this context alone."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


Provider = Callable[[Any], Section | None]

_providers: list[tuple[int, Provider]] = []


def register(order: int) -> Callable[[Provider], Provider]:
    """Register a provider; ``order`` places its section on the page (lower first)."""

    def add(provider: Provider) -> Provider:
        if all(existing is not provider for _, existing in _providers):
            _providers.append((order, provider))
        return provider

    return add


def sections_for(user: Any) -> list[Section]:
    """The sections the user has, in page order (ties keep registration order)."""
    found = [provider(user) for _, provider in sorted(_providers, key=lambda pair: pair[0])]
    return [section for section in found if section is not None]
