"""First-run checks of accounts: a leader who signs, a duty officer who takes urgent reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.lib.readiness import Step, register

SIGNER_ROLES = (Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER)


@register(order=30)
def people(today: dt.date | None) -> Iterator[Step]:
    active = User.objects.filter(is_active=True)
    if not active.filter(role__in=SIGNER_ROLES).exists():
        yield Step(
            "signer",
            _("No leader can sign issues: add a leader in charge or a principal leader."),
            reverse("accounts:user_create"),
            _("Add a leader"),
        )
    if not active.filter(role=Role.DUTY_OFFICER).exists():
        yield Step(
            "duty_officer",
            _("There is no duty officer to take urgent reports."),
            reverse("accounts:user_create"),
            _("Add a duty officer"),
        )
