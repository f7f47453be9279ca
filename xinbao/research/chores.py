"""The deadline scan of commissions: each unit's assignment whose check has come (the reminder
one working day before the due day, then the miss once the due day is over) is claimed by a
conditional UPDATE and handled once (:func:`xinbao.research.services.check_assignment`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.lib.chores import register
from xinbao.research import services
from xinbao.research.models import Assignment

DEADLINES = "research.deadlines"
#: Rows listed per scan; the rest wait for the next one.
BATCH = 200


def assignments_due() -> list[int]:
    due = Assignment.objects.filter(next_check_at__lte=timezone.now()).order_by(
        "next_check_at", "pk"
    )
    return list(due.values_list("pk", flat=True)[:BATCH])


def handle_assignment(pk: int) -> None:
    services.check_assignment(pk)


register(DEADLINES, dt.timedelta(minutes=5), due=assignments_due, handle=handle_assignment)
