from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.audit.models import AuditEvent


@login_required
def event_list(request: AuthedRequest) -> HttpResponse:
    require(request.user.is_audit_admin)
    qs = AuditEvent.objects.all()
    action = request.GET.get("action", "").strip()
    who = request.GET.get("who", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if who:
        qs = qs.filter(actor_name__icontains=who)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "action": action, "who": who})
