from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinbao.audit.models import AuditEvent
from xinbao.lib.http import require
from xinbao.lib.pagination import keyset_page


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
    # Newest first by the primary key (the chain's order): a page walks the table's own order.
    page = keyset_page(request, qs, ("-id",), per_page=50)
    return render(request, "audit/event_list.html", {"page": page, "action": action, "who": who})
