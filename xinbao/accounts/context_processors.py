"""The menu for the base layout, from the entries each app registers (xinbao.lib.menu)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from xinbao.lib.menu import AGENDA, GROUPS, HELP, MAIN, PERSONAL, SETTINGS, entries_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu of the signed-in user.

    ``nav``: the main bar as (label, href); ``nav_menus``: the dropdowns, each with a title;
    ``nav_all``: every entry, for tests that a page is reachable from the menu.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "nav_menus": []}
    grouped: dict[str, list[tuple[str, str]]] = {group: [] for group in GROUPS}
    for entry in entries_for(user):
        grouped[entry.group].append((entry.label, entry.url))
    titles = {
        AGENDA: _("Serving the leaders"),
        SETTINGS: _("Settings"),
        PERSONAL: _("My account"),
        HELP: _("Help"),
    }
    menus = [
        {"key": group, "title": titles[group], "entries": grouped[group]}
        for group in (AGENDA, SETTINGS, HELP, PERSONAL)
        if grouped[group]
    ]
    every = [entry for group in GROUPS for entry in grouped[group]]
    return {"nav": grouped[MAIN], "nav_menus": menus, "nav_all": every}
