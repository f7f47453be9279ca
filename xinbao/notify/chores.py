"""The scanner's part in notifications: retries, escalation and the daily digest."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from xinbao.lib.chores import register
from xinbao.notify.conf import conf
from xinbao.notify.ladders import escalate, escalation_due
from xinbao.notify.models import Channel, Notification, Preference
from xinbao.notify.services import Recipient, deliver_due, queue


def deliver() -> str:
    """Sends what the task worker has not: retries that came due and expired leases."""
    return f"{deliver_due()} messages tried"


def escalate_one(pk: int) -> None:
    """The next step of one dispatch's ladder (nothing when it was read or moved on)."""
    escalate(pk)


def _pending_today(now: dt.datetime) -> QuerySet[Notification]:
    """Today's unread notifications not yet in a digest, once the digest hour has come."""
    if now.hour < conf()["digest_hour"]:
        return Notification.objects.none()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return Notification.objects.filter(
        read_at__isnull=True, digested_at__isnull=True, created_at__gte=start
    )


def digest_due() -> list[int]:
    """After the digest hour, the users with unread notifications of the day not yet digested."""
    users = _pending_today(timezone.localtime()).values_list("user_id", flat=True)
    return sorted(set(users))


def send_digest(user_id: int) -> None:
    """Email the user their unread notifications of the day, once (unless they opted out)."""
    now = timezone.localtime()
    notes = list(
        _pending_today(now)
        .filter(user_id=user_id)
        .select_related("user", "user__person")
        .order_by("id")
    )
    if not notes:
        return
    user = notes[0].user
    person = getattr(user, "person", None)
    opted_out = Preference.objects.filter(user_id=user_id, email_digest=False).exists()
    if not opted_out and person is not None and person.email:
        queue(
            channel=Channel.EMAIL,
            to=Recipient.of_user(user),
            event="digest",
            context={"notifications": notes, "date": now.date()},
            dedupe_key=f"digest:{user_id}:{now.date().isoformat()}",
        )
    Notification.objects.filter(pk__in=[n.pk for n in notes]).update(digested_at=timezone.now())


# The outbox keeps its own claims (leases) and talks to the network: no transaction around it.
register("notify.deliver", dt.timedelta(seconds=10), run=deliver, atomic=False)
register("notify.escalate", dt.timedelta(seconds=30), due=escalation_due, handle=escalate_one)
register("notify.digest", dt.timedelta(minutes=10), due=digest_due, handle=send_digest)
