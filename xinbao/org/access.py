"""Permission-checked getters for the org screens.

Only office staff who manage the reporting network (``can_manage_org``) use these pages;
anyone else gets 403 for the page itself, and a missing object is a 404.
"""

from __future__ import annotations

from django.http import Http404

from xinbao.accounts.models import Role, User
from xinbao.accounts.permissions import can_manage_org, require
from xinbao.org.models import Person, RosterEntry, Unit, UnitClass


def require_org_manager(user: User) -> None:
    require(can_manage_org(user))


def access_unit(user: User, pk: int) -> Unit:
    require_org_manager(user)
    unit = Unit.objects.select_related("unit_class", "parent", "county").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def access_person(user: User, pk: int) -> Person:
    require_org_manager(user)
    person = Person.objects.select_related("unit").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def access_entry(user: User, pk: int) -> RosterEntry:
    require_org_manager(user)
    entry = RosterEntry.objects.select_related("unit", "person").filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def access_unit_class(user: User, pk: int) -> UnitClass:
    require_org_manager(user)
    unit_class = UnitClass.objects.filter(pk=pk).first()
    if unit_class is None:
        raise Http404
    return unit_class


def require_system_admin(user: User) -> None:
    """The office profile and the first run belong to the system administrator."""
    require(user.role == Role.SYSTEM_ADMIN)
