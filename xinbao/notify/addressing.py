"""Addressing by role: "the head of unit X" is looked up in the roster when it is sent."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import Role, User
from xinbao.notify.services import Recipient
from xinbao.org.models import Position, Unit

#: Role names an event may address, with what they mean.
UNIT_ROLES = {
    "head": Position.HEAD,
    "deputy_in_charge": Position.DEPUTY_IN_CHARGE,
    "reporters": Position.REPORTER,
}
OFFICE_ROLES = {
    "leader_in_charge": Role.LEADER_IN_CHARGE,
    "principal_leader": Role.PRINCIPAL_LEADER,
    "editors": Role.EDITOR,
    "section_chiefs": Role.SECTION_CHIEF,
    "duty_officers": Role.DUTY_OFFICER,
}
LABELS = {
    "head": _("the head of the unit"),
    "deputy_in_charge": _("the deputy in charge of information"),
    "reporters": _("the reporters of the unit"),
    "leader_in_charge": _("the leader in charge of information"),
    "principal_leader": _("the principal leader"),
    "editors": _("the editors"),
    "section_chiefs": _("the section chiefs"),
    "duty_officers": _("the duty officers"),
}


class UnknownRole(ValueError):
    pass


def resolve(role: str, unit: Unit | None = None, day: dt.date | None = None) -> list[Recipient]:
    """The people who hold ``role`` (of ``unit`` for unit roles) on ``day`` (today)."""
    if role in UNIT_ROLES:
        if unit is None:
            raise UnknownRole(f"{role} needs a unit")
        people = unit.holders(UNIT_ROLES[role], day)
        recipients = [Recipient.of_person(p) for p in people]
        if role == "reporters":
            # Reporters with a login but no roster entry are told as well.
            listed = {p.user_id for p in people if p.user_id}
            recipients += [
                Recipient.of_user(u)
                for u in User.objects.filter(unit=unit, role=Role.REPORTER, is_active=True)
                if u.pk not in listed
            ]
        return recipients
    if role in OFFICE_ROLES:
        users = User.objects.filter(role=OFFICE_ROLES[role], is_active=True).order_by("pk")
        return [Recipient.of_user(u) for u in users]
    raise UnknownRole(role)
