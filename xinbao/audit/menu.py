"""Menu entries of the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.lib.menu import MenuEntry, register


@register
def entries(user: Any) -> Iterator[MenuEntry]:
    # Below accounts: the audit administrator's flag, not accounts' roles (see views.py).
    if getattr(user, "is_audit_admin", False):
        yield MenuEntry(_("Audit log"), reverse("audit:list"), order=60)
