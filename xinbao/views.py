"""The home page: what needs the user's action, per role."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from xinbao.accounts.models import Role
from xinbao.items.access import visible_items
from xinbao.items.models import ItemStatus, urgency_rank
from xinbao.lib.http import AuthedRequest

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
    if user.is_office_reader:
        context["to_receive"] = items.filter(status=ItemStatus.SUBMITTED).order_by(
            urgency_rank().desc(), "submitted_at"
        )[:HOME_LIMIT]
    if user.role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        from axes.models import AccessAttempt

        context["locked"] = AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).order_by("-attempt_time")[:HOME_LIMIT]
    if user.role == Role.SYSTEM_ADMIN:
        from xinbao.notify.selectors import failed_count

        context["failed_deliveries"] = failed_count()
    if user.role == Role.AUDIT_ADMIN:
        from xinbao.audit.models import AuditEvent

        context["failed_logins"] = AuditEvent.objects.filter(action="login_failed")[:HOME_LIMIT]
    return render(request, "home.html", context)
