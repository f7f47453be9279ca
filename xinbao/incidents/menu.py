"""Menu entries of urgent information."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.incidents.rules import RULE_EDITORS
from xinbao.lib.menu import SETTINGS, MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if user.role == Role.REPORTER:
        yield MenuEntry(_("Our demands"), reverse("incidents:request_list"), order=12)
    if user.is_office_reader:
        yield MenuEntry(_("Incidents"), reverse("incidents:list"), order=30)
    if user.role in RULE_EDITORS:
        yield MenuEntry(
            _("Reporting deadlines"), reverse("incidents:deadline_rules"), order=420, group=SETTINGS
        )
