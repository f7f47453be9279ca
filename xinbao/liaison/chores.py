"""The overdue reminder: requests to the department whose answer is past due, each claimed by
a conditional UPDATE and reminded once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.liaison import services
from xinbao.liaison.models import Lead
from xinbao.lib.chores import register

OVERDUE = "liaison.overdue"
BATCH = 200


def overdue_due() -> list[int]:
    due = Lead.objects.filter(next_check_at__lte=timezone.now()).order_by("next_check_at", "pk")
    return list(due.values_list("pk", flat=True)[:BATCH])


def handle_overdue(pk: int) -> None:
    services.remind_overdue(pk)


register(OVERDUE, dt.timedelta(minutes=5), due=overdue_due, handle=handle_overdue)
