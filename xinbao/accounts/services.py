"""Writes to accounts: users and API tokens, each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import ApiToken, User, hash_token
from xinbao.audit.services import record
from xinbao.lib.labels import Sensitivity


@transaction.atomic
def create_token(
    *, user: User, name: str, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Make a token; the raw value is returned once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_token(raw), hint=raw[: len(ApiToken.PREFIX) + 6]
    )
    record(actor=user, action="token.create", obj=token, summary={"name": name}, request=request)
    return token, raw


@transaction.atomic
def revoke_token(*, user: User, token: ApiToken, request: HttpRequest | None = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=user, action="token.revoke", obj=token, summary={"name": token.name}, request=request
    )


def authenticate_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def save_user(
    *,
    actor: User | None,
    user: User,
    password: str | None,
    changed: dict[str, Any],
    request: HttpRequest | None = None,
) -> User:
    """Create or update a user; a new password forces a change at next login."""
    created = user.pk is None
    if password:
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
    if not created and "is_active" in changed and user.is_active:
        # Enabled again on the form: as with the Enable button, the inactivity rule counts
        # from now, or the next daily run would disable the account before its owner is back.
        user.last_login = timezone.now()
    user.save()
    record(
        actor=actor,
        actor_name="" if actor else "system",
        action="user.create" if created else "user.update",
        obj=user,
        summary={
            "username": user.username,
            "role": user.role,
            "changed": sorted(changed),
            "password_reset": bool(password),
        },
        request=request,
    )
    return user


@transaction.atomic
def change_own_password(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record(actor=user, action="user.password_change", obj=user, request=request)


@transaction.atomic
def unlock_user(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    from axes.models import AccessAttempt

    removed: int = AccessAttempt.objects.filter(username=user.username).delete()[0]
    record(
        actor=actor,
        action="user.unlock",
        obj=user,
        summary={"attempts_cleared": removed},
        request=request,
    )
    return removed


@transaction.atomic
def record_lockout(
    *, username: str, until: dt.datetime | None, request: HttpRequest | None = None
) -> None:
    """Audit that ``username`` was locked out (once per lockout, not per refused attempt)."""
    known = User.objects.filter(username=username).first()
    record(
        actor=known,
        actor_name=username,
        action="accounts.locked_out",
        obj=known,
        summary={"username": username, "until": until.isoformat() if until else None},
        request=request,
    )


@transaction.atomic
def record_login_flood(
    *,
    scope: str,
    window: dt.datetime,
    failures: int,
    refused: int,
    ended: bool,
    request: HttpRequest | None = None,
) -> None:
    """Audit failed logins past a throttle's limit as one event per scope and window, instead
    of one per attempt: when the limit is passed, and once more with the window's totals."""
    record(
        actor=None,
        actor_name="system",
        action="accounts.login_flood_total" if ended else "accounts.login_flood",
        summary={
            "scope": "all addresses" if scope == "*" else scope,
            "window": window.isoformat(),
            "failures": failures,
            "refused": refused,
        },
        request=request,
    )


@transaction.atomic
def disable_inactive_user(*, user_id: int, since: dt.datetime) -> bool:
    """Disable one account with no login since ``since`` (nor created since); False when it
    logged in, was created or was disabled meanwhile."""
    user = User.objects.select_for_update(no_key=True).filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    last = user.last_login or user.date_joined
    if last >= since:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(
        actor=None,
        actor_name="system",
        action="user.disable_inactive",
        obj=user,
        summary={"username": user.username, "last_login": last.isoformat()},
    )
    return True


@transaction.atomic
def enable_user(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Let a disabled account log in again; its inactivity counts afresh from now, so the
    next daily chore does not disable it again before its owner has logged in."""
    user.is_active = True
    user.last_login = timezone.now()
    user.save(update_fields=["is_active", "last_login"])
    record(
        actor=actor,
        action="user.enable",
        obj=user,
        summary={"username": user.username},
        request=request,
    )


def _clearance_name(value: int | None) -> str:
    return "role" if value is None else Sensitivity(value).name.lower()


@transaction.atomic
def set_clearance(
    *, actor: User, user: User, clearance: int | None, request: HttpRequest | None = None
) -> User:
    """The security administrator (三员分立: not the system administrator) sets the highest
    sensitivity label ``user`` may read; None goes back to the role's default. Audited."""
    if not actor.is_security_admin:
        raise PermissionDenied(_("Only the security administrator sets clearances."))
    before = user.clearance
    user.clearance = None if clearance is None else Sensitivity(clearance)
    user.save(update_fields=["clearance"])
    record(
        actor=actor,
        action="user.clearance",
        obj=user,
        summary={
            "username": user.username,
            "from": _clearance_name(before),
            "to": _clearance_name(user.clearance),
        },
        request=request,
    )
    return user
