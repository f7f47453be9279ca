"""Writing and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from xinbao.audit.models import AuditEvent, ChainHead


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    actor: AbstractUser | None,
    action: str,
    obj: models.Model | None = None,
    summary: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the chain.

    Runs inside the caller's transaction (it opens one if there is none), so that a failed
    audit write rolls back the action it records.
    """
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            # The actor is typed as Django's user: the audit log sits below accounts.
            actor_id=actor.pk if actor is not None else None,
            actor_name=actor_name or (str(actor) if actor else ""),
            role=getattr(actor, "role", "") or "",
            unit_name=str(getattr(actor, "unit", "")) if getattr(actor, "unit_id", None) else "",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            summary=summary or {},
            address=client_address(request),
            prev_hash=head.last_hash,
            hash="pending",
        )
        event.save(force_insert=True)
        # The hash covers the primary key, so it is computed once the row has one.
        digest = event.compute_hash()
        AuditEvent.objects.filter(pk=event.pk).update(hash=digest)
        event.hash = digest
        head.last_hash = digest
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


@dataclass(frozen=True)
class Problem:
    event_id: int | None
    reason: str


def verify() -> list[Problem]:
    """Walk the chain from the first event and report every break.

    Detects an edited row (its hash no longer matches), a removed row (the next row's
    ``prev_hash`` names a hash that is not the one before it) and a truncated tail (the
    chain head records more events or another last hash than the table holds).
    """
    problems: list[Problem] = []
    prev = "0" * 64
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev:
            problems.append(Problem(event.pk, "link broken: a row before it was removed or edited"))
        if event.compute_hash() != event.hash:
            problems.append(Problem(event.pk, "content does not match its hash: row edited"))
        prev = event.hash
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.count != count or head.last_hash != prev):
        problems.append(Problem(None, "chain head disagrees with the table: rows removed"))
    return problems
