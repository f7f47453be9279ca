"""The home page: what needs the user's action, per role."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import Role, User
from xinbao.incidents import selectors
from xinbao.incidents.access import can_handle_incidents
from xinbao.items.access import visible_items
from xinbao.items.models import ItemStatus, urgency_rank
from xinbao.items.selectors import reporter_month
from xinbao.lib.workdays import calendar_warnings
from xinbao.periodicals import selectors as periodicals
from xinbao.periodicals.services import night_issues

HOME_LIMIT = 10


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {}
    items = visible_items(user).select_related("unit")
    if user.is_reporter or user.role == Role.DUTY_OFFICER:
        context["drafts"] = items.filter(
            status__in=[ItemStatus.DRAFT, ItemStatus.WITHDRAWN], created_by=user
        )[:HOME_LIMIT]
        context["recent"] = items.exclude(status=ItemStatus.DRAFT)[:HOME_LIMIT]
    if user.is_reporter:
        context["my_month"] = reporter_month(user)
    if user.role in (Role.EDITOR, Role.SECTION_CHIEF, Role.DUTY_OFFICER):
        # Those who receive items; leaders read what the desk adopted, not the intake.
        context["to_receive"] = items.filter(status=ItemStatus.SUBMITTED).order_by(
            urgency_rank().desc(), "submitted_at"
        )[:HOME_LIMIT]
    _urgent(user, context)
    _periodicals(user, context)
    if user.role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        from axes.models import AccessAttempt

        context["locked"] = AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).order_by("-attempt_time")[:HOME_LIMIT]
    if user.role == Role.SYSTEM_ADMIN:
        from xinbao.notify.selectors import failed_count

        context["failed_deliveries"] = failed_count()
        context["calendar_warnings"] = calendar_warnings()
        from xinbao.lib.readiness import missing_steps

        # The calendar has its own section below, with the detail of each year.
        context["setup_steps"] = [s for s in missing_steps() if not s.key.startswith("calendar_")]
    if user.role == Role.AUDIT_ADMIN:
        from xinbao.audit.models import AuditEvent

        context["failed_logins"] = AuditEvent.objects.filter(action="login_failed")[:HOME_LIMIT]
    return render(request, "home.html", context)


def _urgent(user: User, context: dict[str, object]) -> None:
    """Urgent information that waits on the user: their unit's demands, or what is overdue."""
    now = timezone.now()
    if user.is_reporter and user.unit_id is not None:
        requests = selectors.open_requests_of_unit(user.unit_id).prefetch_related("notices")
        context["our_demands"] = [selectors.demand_row(r, now) for r in requests[:HOME_LIMIT]]
    if can_handle_incidents(user):
        overdue = selectors.overdue_requests(now).prefetch_related("notices")
        context["overdue_demands"] = [selectors.demand_row(r, now) for r in overdue[:HOME_LIMIT]]
        context["open_verifications"] = list(selectors.open_verifications()[:HOME_LIMIT])


def _periodicals(user: User, context: dict[str, object]) -> None:
    """Issues to sign and open instructions for leaders; issues to check for section chiefs."""
    if user.role in (Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER):
        context["to_sign"] = list(periodicals.sign_queue(user)[:HOME_LIMIT])
        context["my_instructions"] = list(periodicals.leader_open_instructions(user)[:HOME_LIMIT])
    if user.role == Role.SECTION_CHIEF:
        context["to_check"] = list(periodicals.section_check_queue()[:HOME_LIMIT])
    if user.role in (Role.EDITOR, Role.SECTION_CHIEF):
        # What the duty officer issued overnight, for the section's morning.
        context["night_issues"] = list(night_issues()[:HOME_LIMIT])
