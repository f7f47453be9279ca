"""The scanner's part in notifications: retries, escalation and the daily digest."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from xinbao.notify.conf import conf
from xinbao.notify.ladders import escalate_due
from xinbao.notify.models import Channel, Notification, Preference
from xinbao.notify.services import Recipient, deliver_due, queue
from xinbao.scheduler.registry import register


@register("notify.deliver", dt.timedelta(seconds=10))
def deliver() -> str:
    """Sends what the task worker has not: retries that came due and expired leases."""
    return f"{deliver_due()} messages tried"


@register("notify.escalate", dt.timedelta(seconds=30))
def escalate() -> str:
    return f"{escalate_due()} dispatches escalated"


@register("notify.digest", dt.timedelta(minutes=10))
def digest() -> str:
    """After the digest hour, email each user their unread notifications of the day, once."""
    now = timezone.localtime()
    if now.hour < conf()["digest_hour"]:
        return "not yet"
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    pending = (
        Notification.objects.filter(
            read_at__isnull=True, digested_at__isnull=True, created_at__gte=start
        )
        .select_related("user", "user__person")
        .order_by("user_id", "id")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        by_user[n.user_id].append(n)
    opted_out = set(
        Preference.objects.filter(user_id__in=by_user, email_digest=False).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    for user_id, notes in by_user.items():
        user = notes[0].user
        person = getattr(user, "person", None)
        with transaction.atomic():
            if user_id not in opted_out and person is not None and person.email:
                queue(
                    channel=Channel.EMAIL,
                    to=Recipient.of_user(user),
                    event="digest",
                    context={"notifications": notes, "date": now.date()},
                    dedupe_key=f"digest:{user_id}:{now.date().isoformat()}",
                )
                sent += 1
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(
                digested_at=timezone.now()
            )
    return f"{sent} digests queued"
