"""Daily housekeeping for logins."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from xinbao.lib.chores import register


def clear_sessions() -> str:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} expired sessions removed"


register("accounts.clear_sessions", dt.timedelta(hours=24), run=clear_sessions)
