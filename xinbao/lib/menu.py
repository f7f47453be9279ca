"""The menu as a registry: each app contributes the entries its pages need.

The base layout knows no app. An app registers a provider in its ``AppConfig.ready`` (through its
own ``menu.py``); a provider receives the signed-in user and returns the entries that user may
reach. Entries are shown by ``order`` and grouped: the main bar, the dropdown of the pages that
serve the leaders' agenda (priorities, commissions, packs, breadth), the settings dropdown, the
personal dropdown and help. Keeping the registry here, app-free, lets shared apps (accounts)
render the menu without importing the domain apps above them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

#: Where an entry is shown.
MAIN = "main"
AGENDA = "agenda"
SETTINGS = "settings"
PERSONAL = "personal"
HELP = "help"
GROUPS = (MAIN, AGENDA, SETTINGS, PERSONAL, HELP)


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url: str
    order: int = 100
    group: str = MAIN


Provider = Callable[[Any], Iterable[MenuEntry]]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (usable as a decorator); registering the same function twice is a no-op."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def entries_for(user: Any) -> list[MenuEntry]:
    """Every entry the user may reach, in menu order (ties keep registration order)."""
    found: list[MenuEntry] = []
    seen: set[str] = set()
    for provider in _providers:
        for entry in provider(user):
            if entry.group not in GROUPS:
                raise ValueError(f"unknown menu group {entry.group!r} for {entry.label!r}")
            if entry.url in seen:
                continue
            seen.add(entry.url)
            found.append(entry)
    return sorted(found, key=lambda e: e.order)
