"""Logins, logouts, failed logins and lockouts go into the audit chain; failed logins are
counted for the throttles (``throttle.py``)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from xinbao.accounts import services, throttle
from xinbao.accounts.models import User
from xinbao.audit.services import client_address, record


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record(actor=user, action="login", obj=user, request=request)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, action="logout", obj=user, request=request)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).first()
    counted = throttle.count_failure(client_address(request))
    for scope, window in counted.floods:
        services.record_login_flood(
            scope=scope,
            window=window.window,
            failures=window.failures,
            refused=window.refused,
            ended=False,
            request=request,
        )
    if known is None and counted.over_address_limit():
        # Past the address's limit, unknown names are only counted: the flood's events
        # carry the numbers, instead of one row per guess.
        return
    record(
        actor=known,
        actor_name=username,
        action="login_failed",
        obj=known,
        summary={"username": username},
        request=request,
    )


@receiver(user_locked_out)
def on_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    """Axes signals a lockout on the failure that reaches the limit and again on every attempt
    while locked; only the first is a new lockout (the count then equals the limit)."""
    limit = int(settings.AXES_FAILURE_LIMIT)
    if getattr(request, "axes_failures_since_start", None) != limit or not username:
        return
    attempt_time = getattr(request, "axes_attempt_time", None)
    until = attempt_time + settings.AXES_COOLOFF_TIME if attempt_time else None
    services.record_lockout(username=username, until=until, request=request)
