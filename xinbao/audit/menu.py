"""Menu entries of the audit log."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.lib.menu import MenuEntry, register


@register
def entries(user: User) -> Iterator[MenuEntry]:
    if user.role == Role.AUDIT_ADMIN:
        yield MenuEntry(_("Audit log"), reverse("audit:list"), order=60)
