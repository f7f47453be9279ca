"""Reads of the scanner's state: the chores, the rows that failed in them, a stalled scanner."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from xinbao.audit.models import AuditEvent
from xinbao.scheduler.models import Chore, ChoreFailure, WorkerHeartbeat
from xinbao.scheduler.workers import stale_after

if TYPE_CHECKING:
    from xinbao.accounts.models import User

#: A chore left this long past its due time means no scanner is running.
STALLED_AFTER = dt.timedelta(minutes=10)


def can_see_chores(user: User) -> bool:
    """The system administrator runs the machine the scanner runs on."""
    return user.is_system_admin


def failures() -> QuerySet[ChoreFailure]:
    return ChoreFailure.objects.select_related("chore").order_by("-last_failed_at", "pk")


def failure_count() -> int:
    return ChoreFailure.objects.count()


def chores() -> QuerySet[Chore]:
    return Chore.objects.order_by("name")


def stalled_since(now: dt.datetime | None = None) -> dt.datetime | None:
    """When the oldest chore fell due, if that is so long ago that no scanner can be running."""
    now = now or timezone.now()
    oldest = Chore.objects.order_by("due_at").values_list("due_at", flat=True).first()
    if oldest is not None and oldest < now - STALLED_AFTER:
        return oldest
    return None


#: Audit actions of the reaper, and how many of the latest the page shows.
REAPED_ACTIONS = ("task.requeued", "task.failed")
REAPED_SHOWN = 20


def workers(now: dt.datetime | None = None) -> list[tuple[WorkerHeartbeat, bool]]:
    """Every task worker with a heartbeat row, and whether it was heard from lately."""
    cutoff = (now or timezone.now()) - stale_after()
    return [(w, w.last_seen_at >= cutoff) for w in WorkerHeartbeat.objects.order_by("started_at")]


def reaped_tasks() -> QuerySet[AuditEvent]:
    """The latest tasks of dead workers that the reaper queued again or failed."""
    return AuditEvent.objects.filter(action__in=REAPED_ACTIONS).order_by("-id")[:REAPED_SHOWN]
