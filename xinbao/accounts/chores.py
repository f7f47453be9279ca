"""Housekeeping for logins: sessions, the throttles' counts, inactive accounts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.utils import timezone

from xinbao.accounts import services, throttle
from xinbao.accounts.models import ADMIN_ROLES, LoginFailureWindow, User
from xinbao.lib.chores import register


def clear_sessions() -> str:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} expired sessions removed"


def login_floods() -> str:
    """Audit the totals of each closed window that passed a throttle's limit, then drop the
    counts of closed windows (only the current minute's are read)."""
    rows = throttle.closed_windows()
    floods = 0
    for row in rows:
        if row.flood_recorded:
            services.record_login_flood(
                scope=row.scope,
                window=row.window,
                failures=row.failures,
                refused=row.refused,
                ended=True,
            )
            floods += 1
    LoginFailureWindow.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return f"{len(rows)} closed login windows, {floods} floods recorded"


def inactive_since() -> dt.datetime | None:
    """Accounts with no login since this moment are disabled; None when the rule is off."""
    days = int(settings.XINBAO_INACTIVE_DAYS)
    return timezone.now() - dt.timedelta(days=days) if days > 0 else None


def inactive_users() -> list[int]:
    """Active accounts with no login (or, never logged in, no creation) since the limit.

    The three administrators are left alone: their accounts are made on the server and no
    page can enable them again, so disabling the last of them would lock the office out.
    """
    since = inactive_since()
    if since is None:
        return []
    return list(
        User.objects.filter(is_active=True)
        .exclude(role__in=ADMIN_ROLES)
        .filter(
            models.Q(last_login__lt=since)
            | models.Q(last_login__isnull=True, date_joined__lt=since)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )


def disable_inactive(user_id: int) -> None:
    since = inactive_since()
    if since is not None:
        services.disable_inactive_user(user_id=user_id, since=since)


register("accounts.clear_sessions", dt.timedelta(hours=24), run=clear_sessions)
register("accounts.login_floods", dt.timedelta(minutes=1), run=login_floods)
register(
    "accounts.disable_inactive",
    dt.timedelta(hours=24),
    due=inactive_users,
    handle=disable_inactive,
)
