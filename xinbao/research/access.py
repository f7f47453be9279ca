"""Who sees which commission: the office's readers every one (drafts only the writers); a
reporter the sent commissions of their own unit (another unit's is a 404); anyone else a 403."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinbao.accounts.models import OFFICE_READER_ROLES, User
from xinbao.accounts.permissions import require
from xinbao.items.access import visible_items
from xinbao.items.models import Item
from xinbao.research.models import Assignment, Commission, CommissionState
from xinbao.research.services import ANSWERING_STATUSES, COMMISSION_WRITERS


def is_office(user: User) -> bool:
    return user.is_authenticated and user.role in OFFICE_READER_ROLES


def can_write(user: User) -> bool:
    return user.is_authenticated and user.role in COMMISSION_WRITERS


def is_unit_reporter(user: User) -> bool:
    return user.is_authenticated and user.is_reporter and user.unit_id is not None


def unit_of(user: User) -> int:
    """The reporter's unit id (``is_unit_reporter`` checked before)."""
    if user.unit_id is None:
        raise Http404
    return user.unit_id


def visible_commissions(user: User) -> QuerySet[Commission]:
    require(is_office(user) or is_unit_reporter(user))
    commissions = Commission.objects.select_related("created_by")
    if can_write(user):
        return commissions
    if is_office(user):
        return commissions.exclude(state=CommissionState.DRAFT)
    return commissions.filter(assignments__unit_id=unit_of(user)).exclude(
        state=CommissionState.DRAFT
    )


def access_commission(user: User, pk: int) -> Commission:
    found = visible_commissions(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def own_assignment(user: User, commission: Commission) -> Assignment | None:
    """The reporter's unit's assignment of ``commission`` (None for the office)."""
    if not is_unit_reporter(user):
        return None
    return (
        Assignment.objects.select_related("unit", "commission")
        .filter(commission=commission, unit_id=unit_of(user))
        .first()
    )


def answerable_items(user: User) -> QuerySet[Item]:
    """The reporter's own unit's submitted items: the only ones they may link as an answer."""
    return (
        visible_items(user)
        .filter(unit_id=unit_of(user), status__in=ANSWERING_STATUSES)
        .order_by("-submitted_at", "-pk")
    )


def access_answerable_item(user: User, pk: int) -> Item:
    found = answerable_items(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
