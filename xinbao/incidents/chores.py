"""The scanner's part in urgent information: it claims a due row and calls its service.

Two per-row chores: ``incidents.deadlines``, demands whose next check (reminder, deadline,
chase step) has come, and ``incidents.follow_ups``, reports whose follow-up clock ran out.
Each is a pair: ``*_due()`` lists the due rows, ``handle_*(pk)`` claims one row and calls the
service (:mod:`xinbao.incidents.chasing`); the scanner retries a failing row later. A demand's
row is handled outside a scanner transaction (the services keep their own short ones, with the
chase notice drawn before), a report's inside one. What is due is the row's own arithmetic
(``incidents/models.py``); what happens, the service's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.incidents import chasing
from xinbao.incidents.models import Report, ReportRequest, Visit
from xinbao.lib.chores import register
from xinbao.scheduler.services import run_chore

DEADLINES = "incidents.deadlines"
FOLLOW_UPS = "incidents.follow_ups"

#: Rows listed per scan; the rest wait for the next one.
BATCH = 200


def requests_due() -> list[int]:
    """Demands whose next check has come, oldest first."""
    due = ReportRequest.objects.due(timezone.now()).order_by("next_check_at", "pk")
    return list(due.values_list("pk", flat=True)[:BATCH])


def handle_request(pk: int) -> None:
    """Remind or chase one due demand through its service, outside any scanner transaction.

    The services lock the row and check again that their step is still due, so two scanners
    take a step once; the chase notice is drawn before the service's short transaction, never
    while the database is locked. A visit that found nothing to do (nothing owed any more, or
    the top of the chain reached) clears the check, unless a service moved it meanwhile: the
    conditional UPDATE names the value read. A service that raises leaves the row due, and the
    scanner retries it later.
    """
    now = timezone.now()
    request = (
        ReportRequest.objects.due(now).select_related("incident", "unit").filter(pk=pk).first()
    )
    if request is None:
        return
    seen = request.next_check_at
    match request.visit_due(now):
        case Visit.REMIND:
            chasing.remind(request=request, now=now)
        case Visit.CHASE:
            chasing.chase_step(request=request, now=now)
        case None:
            pass
    ReportRequest.objects.filter(pk=pk, next_check_at=seen).update(next_check_at=None)


def follow_ups_due() -> list[int]:
    """Reports whose follow-up clock ran out, oldest first."""
    due = Report.objects.follow_ups_due(timezone.now()).order_by("next_due_at", "pk")
    return list(due.values_list("pk", flat=True)[:BATCH])


def handle_follow_up(pk: int) -> None:
    """Mark one report's follow-up overdue; the service's row lock and re-check of the clock
    are the claim (it stops the clock), so a second scanner finds nothing to do."""
    report = Report.objects.filter(pk=pk).first()
    if report is not None:
        chasing.mark_overdue(report=report, now=timezone.now())


# Not in a scanner transaction: the chase notice's PDF is drawn before the service's own.
register(DEADLINES, dt.timedelta(seconds=15), due=requests_due, handle=handle_request, atomic=False)
register(FOLLOW_UPS, dt.timedelta(seconds=15), due=follow_ups_due, handle=handle_follow_up)


def scan_deadlines() -> str:
    """Run both chores now, due or not, as the scanner would (the demo's replay, a shell)."""
    return "; ".join(f"{name}: {run_chore(name)}" for name in (DEADLINES, FOLLOW_UPS))
