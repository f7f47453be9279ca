"""Daily housekeeping for logins."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from xinbao.scheduler.registry import register


@register("accounts.clear_sessions", dt.timedelta(hours=24))
def clear_sessions() -> str:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} expired sessions removed"
