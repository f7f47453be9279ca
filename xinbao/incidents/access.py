"""Who may do what with urgent information, and permission-checked getters.

The office follows every incident; a reporter sees only the demands (催报) made of their own
unit. A user who may not see an object gets ``Http404``, never a hint that it exists; a role
that may not use a page at all gets 403 from the view.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinbao.accounts.models import OFFICE_READER_ROLES, Role, User
from xinbao.incidents.models import (
    AccountabilityRecord,
    ChaseNotice,
    Incident,
    Notice,
    ReportRequest,
    Verification,
)

#: Who opens incidents from the duty phone, demands reports and records what comes in.
HANDLER_ROLES = frozenset({Role.DUTY_OFFICER, Role.EDITOR, Role.SECTION_CHIEF})
#: Who makes commendation and criticism notices (通报) from the records.
NOTICE_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF})


def can_view_incidents(user: User) -> bool:
    return user.role in OFFICE_READER_ROLES


def can_handle_incidents(user: User) -> bool:
    return user.role in HANDLER_ROLES


def can_make_notices(user: User) -> bool:
    return user.role in NOTICE_ROLES


def is_units_reporter(user: User, request: ReportRequest) -> bool:
    """A reporter of the unit the demand was made of: the one who confirms and files."""
    return user.is_reporter and user.unit_id is not None and user.unit_id == request.unit_id


def visible_incidents(user: User) -> QuerySet[Incident]:
    if can_view_incidents(user):
        return Incident.objects.all()
    return Incident.objects.none()


def access_incident(user: User, pk: int) -> Incident:
    try:
        return visible_incidents(user).get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None


def visible_requests(user: User) -> QuerySet[ReportRequest]:
    """Demands the user may see: the office sees all, a reporter their own unit's."""
    if can_view_incidents(user):
        return ReportRequest.objects.all()
    if user.is_reporter and user.unit_id is not None:
        return ReportRequest.objects.filter(unit_id=user.unit_id)
    return ReportRequest.objects.none()


def access_request(user: User, pk: int) -> ReportRequest:
    try:
        return visible_requests(user).select_related("incident", "unit").get(pk=pk)
    except ReportRequest.DoesNotExist:
        raise Http404 from None


def access_chase_notice(user: User, pk: int) -> ChaseNotice:
    """A chase notice is addressed to its unit: the office and that unit's reporters see it."""
    found = (
        ChaseNotice.objects.filter(pk=pk, request__in=visible_requests(user))
        .select_related("request__unit")
        .first()
    )
    if found is None:
        raise Http404
    return found


def access_verification(user: User, pk: int) -> Verification:
    found = (
        Verification.objects.filter(pk=pk, incident__in=visible_incidents(user))
        .select_related("incident", "unit")
        .first()
    )
    if found is None:
        raise Http404
    return found


def visible_records(user: User) -> QuerySet[AccountabilityRecord]:
    if can_view_incidents(user):
        return AccountabilityRecord.objects.all()
    return AccountabilityRecord.objects.none()


def visible_notices(user: User) -> QuerySet[Notice]:
    if can_view_incidents(user):
        return Notice.objects.all()
    return Notice.objects.none()


def access_notice(user: User, pk: int) -> Notice:
    try:
        return visible_notices(user).get(pk=pk)
    except Notice.DoesNotExist:
        raise Http404 from None
