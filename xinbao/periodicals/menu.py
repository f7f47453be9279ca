"""Menu entries of periodicals: compiling, signing, instructions, the reading room."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import ADMIN_ROLES, Role, User
from xinbao.lib.menu import SETTINGS, MenuEntry, register
from xinbao.periodicals.setup import can_set_up


@register
def entries(user: User) -> Iterator[MenuEntry]:
    role = user.role
    # The duty officer compiles the periodicals flagged for the night (紧急信息快报).
    if role in (Role.EDITOR, Role.SECTION_CHIEF, Role.DUTY_OFFICER):
        yield MenuEntry(_("Periodicals"), reverse("periodicals:list"), order=40)
    if role in (Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER):
        yield MenuEntry(_("To sign"), reverse("periodicals:sign_queue"), order=41)
    if user.is_office_reader:
        yield MenuEntry(_("Instructions"), reverse("periodicals:instructions"), order=42)
    if role == Role.REPORTER:
        yield MenuEntry(
            _("Instructions to answer"), reverse("periodicals:instructions_to_answer"), order=42
        )
    # The three administrators read nothing (三员分立), so their pages skip the query.
    if role not in ADMIN_ROLES and user.periodicals_read.exists():
        yield MenuEntry(_("Reading room"), reverse("periodicals:reading"), order=43)
    if can_set_up(user):
        yield MenuEntry(
            _("Periodical settings"), reverse("periodicals:setup_list"), order=340, group=SETTINGS
        )
        yield MenuEntry(
            _("Sign-off routing"), reverse("periodicals:routes"), order=341, group=SETTINGS
        )
