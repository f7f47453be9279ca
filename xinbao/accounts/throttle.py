"""Throttles of failed logins, per client address and for all addresses together.

Axes locks an account after repeated wrong passwords; random user names get round that, and
every attempt costs a password hash. Past ``XINBAO_LOGIN_FAILURES_PER_ADDRESS`` failures in a
minute from one address (or ``XINBAO_LOGIN_FAILURES_GLOBAL`` from all of them), each further
attempt must wait 1, 2, 4 ... seconds (at most ``XINBAO_LOGIN_MAX_WAIT_SECONDS``) after the last
failure; an attempt that comes sooner is answered 429 "try again in N seconds" at once, without
checking its password. The answer is immediate rather than a sleep because a sleeping request
holds one of the few web processes, which would slow the desk exactly as the flood did.
Nobody is locked out by address: a county shares one NAT address, and its next attempt after
the wait is checked as usual.

The counts live in ``LoginFailureWindow`` rows (one per scope and minute), shared by every web
process; the chore ``accounts.login_floods`` summarises and deletes the closed windows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from xinbao.accounts.models import LoginFailureWindow

ALL = LoginFailureWindow.ALL
#: The largest exponent of the growing wait: 2**16 seconds is far past any sensible cap.
_MAX_EXPONENT = 16


def window_of(moment: dt.datetime) -> dt.datetime:
    """The start of the one-minute window that holds ``moment``."""
    return moment.replace(second=0, microsecond=0)


def _limit(scope: str) -> int:
    if scope == ALL:
        return int(settings.XINBAO_LOGIN_FAILURES_GLOBAL)
    return int(settings.XINBAO_LOGIN_FAILURES_PER_ADDRESS)


def _scopes(address: str | None) -> list[str]:
    return [address, ALL] if address else [ALL]


def _wait_after(failures: int, limit: int) -> float:
    """Seconds an attempt must wait after the last failure once ``failures`` happened."""
    if limit <= 0 or failures < limit:
        return 0.0
    cap = float(settings.XINBAO_LOGIN_MAX_WAIT_SECONDS)
    return min(cap, 2.0 ** min(failures - limit, _MAX_EXPONENT))


def wait_seconds(address: str | None, *, now: dt.datetime | None = None) -> int:
    """Whole seconds an attempt from ``address`` must still wait; 0: check it now."""
    now = now or timezone.now()
    rows = LoginFailureWindow.objects.filter(window=window_of(now), scope__in=_scopes(address))
    wait = 0.0
    for row in rows:
        due = _wait_after(row.failures, _limit(row.scope))
        wait = max(wait, due - (now - row.last_failure_at).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def _bump(scope: str, window: dt.datetime, now: dt.datetime, *, refused: bool) -> None:
    """Add one failure (or one refusal) to the row of ``scope`` and ``window``, creating it."""
    rows = LoginFailureWindow.objects.filter(scope=scope, window=window)
    change = (
        {"refused": F("refused") + 1}
        if refused
        else {
            "failures": F("failures") + 1,
            "last_failure_at": now,
        }
    )
    if rows.update(**change):
        return
    try:
        # A savepoint: another process may create the same row first.
        with transaction.atomic():
            LoginFailureWindow.objects.create(
                scope=scope,
                window=window,
                failures=0 if refused else 1,
                refused=1 if refused else 0,
                last_failure_at=now,
            )
    except IntegrityError:
        rows.update(**change)


@dataclass(frozen=True)
class Counted:
    """What one failure brought its address's window to."""

    address_failures: int
    #: The scopes whose window passed its limit with this failure (each is reported once).
    floods: list[tuple[str, LoginFailureWindow]]

    def over_address_limit(self) -> bool:
        limit = int(settings.XINBAO_LOGIN_FAILURES_PER_ADDRESS)
        return 0 < limit < self.address_failures


def count_failure(address: str | None, *, now: dt.datetime | None = None) -> Counted:
    """Count one failed login from ``address``; say which windows it carried past their limit."""
    now = now or timezone.now()
    window = window_of(now)
    floods: list[tuple[str, LoginFailureWindow]] = []
    address_failures = 0
    for scope in _scopes(address):
        _bump(scope, window, now, refused=False)
        limit = _limit(scope)
        rows = LoginFailureWindow.objects.filter(scope=scope, window=window)
        # Conditional UPDATE: of concurrent failures past the limit, exactly one claims the report.
        if limit > 0 and rows.filter(failures__gt=limit, flood_recorded=False).update(
            flood_recorded=True
        ):
            floods.append((scope, rows.get()))
        if scope != ALL:
            address_failures = rows.values_list("failures", flat=True).get()
    return Counted(address_failures=address_failures, floods=floods)


def count_refusal(address: str | None, *, now: dt.datetime | None = None) -> None:
    """Count an attempt answered "try again later" (its password was never checked)."""
    now = now or timezone.now()
    for scope in _scopes(address):
        _bump(scope, window_of(now), now, refused=True)


def closed_windows(*, now: dt.datetime | None = None) -> list[LoginFailureWindow]:
    """Rows of the windows that are over, oldest first."""
    now = now or timezone.now()
    return list(
        LoginFailureWindow.objects.filter(window__lt=window_of(now)).order_by("window", "scope")
    )
