"""Who sees which lead: the office's readers every lead; a liaison only the leads they shared or
that were sent to them (another liaison's are a 404); anyone else a 403."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinbao.accounts.models import OFFICE_READER_ROLES, Role, User
from xinbao.accounts.permissions import require
from xinbao.liaison.models import Lead
from xinbao.liaison.services import OFFICE_HANDLERS


def is_office(user: User) -> bool:
    return user.is_authenticated and user.role in OFFICE_READER_ROLES


def is_liaison(user: User) -> bool:
    return user.is_authenticated and user.role == Role.PARTNER_LIAISON


def can_send(user: User) -> bool:
    return user.is_authenticated and user.role in OFFICE_HANDLERS


def visible_leads(user: User) -> QuerySet[Lead]:
    require(is_office(user) or is_liaison(user))
    leads = Lead.objects.select_related("liaison", "shared_by")
    return leads if is_office(user) else leads.filter(liaison=user)


def access_lead(user: User, pk: int) -> Lead:
    found = visible_leads(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
