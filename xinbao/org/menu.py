"""Menu entries of the reporting network and of the office's own settings."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.accounts.permissions import can_manage_org
from xinbao.lib.menu import SETTINGS, MenuEntry, register
from xinbao.org.terms import can_edit_terms


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if user.role == Role.SYSTEM_ADMIN:
        yield MenuEntry(_("First run"), reverse("org:setup"), order=280, group=SETTINGS)
        yield MenuEntry(_("Office profile"), reverse("org:office"), order=290, group=SETTINGS)
    if can_manage_org(user):
        yield MenuEntry(_("Units"), reverse("org:unit_list"), order=300, group=SETTINGS)
        yield MenuEntry(_("Unit classes"), reverse("org:class_list"), order=301, group=SETTINGS)
        yield MenuEntry(_("People"), reverse("org:person_list"), order=302, group=SETTINGS)
        yield MenuEntry(_("Import"), reverse("org:import"), order=303, group=SETTINGS)
    if can_edit_terms(user):
        yield MenuEntry(_("Dictionary"), reverse("org:term_list"), order=304, group=SETTINGS)
