"""Writes to accounts: users and API tokens, each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xinbao.accounts.models import ApiToken, User, hash_token
from xinbao.audit.services import record


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
    user.save(update_fields=["password", "must_change_password"])
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
