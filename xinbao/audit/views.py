from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinbao.audit.models import AuditEvent
from xinbao.lib.http import require


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    # The audit log sits below accounts (every app records into it), so it asks the user for
    # the audit administrator's flag instead of importing accounts' roles.
    require(getattr(request.user, "is_audit_admin", False))
    qs = AuditEvent.objects.all()
    action = request.GET.get("action", "").strip()
    who = request.GET.get("who", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if who:
        qs = qs.filter(actor_name__icontains=who)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "action": action, "who": who})
