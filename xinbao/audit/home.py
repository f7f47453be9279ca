"""Home-page section of the audit log: recent failed logins, for the audit administrator."""

from __future__ import annotations

from typing import Any

from xinbao.audit.models import AuditEvent
from xinbao.lib.home import HOME_LIMIT, Section, register


@register(130)
def failed_logins(user: Any) -> Section | None:
    # Below accounts: the audit administrator's flag, not accounts' roles (see views.py).
    if not getattr(user, "is_audit_admin", False):
        return None
    return Section(
        "audit/partials/_home_failed_logins.html",
        {"failed_logins": AuditEvent.objects.filter(action="login_failed")[:HOME_LIMIT]},
    )
