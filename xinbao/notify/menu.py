"""Menu entries of notifications: calls to make, deliveries, templates, preferences."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.lib.menu import MAIN, PERSONAL, SETTINGS, MenuEntry, register
from xinbao.notify.selectors import can_make_calls, can_preview_templates, can_see_deliveries


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if can_make_calls(user):
        yield MenuEntry(_("Phone calls"), reverse("notify:calls"), order=70, group=MAIN)
    if can_see_deliveries(user):
        yield MenuEntry(_("Deliveries"), reverse("notify:deliveries"), order=500, group=SETTINGS)
    if can_preview_templates(user):
        yield MenuEntry(
            _("Templates"), reverse("notify:template_preview"), order=510, group=SETTINGS
        )
    yield MenuEntry(
        _("Notification settings"), reverse("notify:preferences"), order=910, group=PERSONAL
    )
