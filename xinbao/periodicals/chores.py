"""The scanner's part in instructions: tell the office, once, when feedback is overdue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.accounts.models import Role
from xinbao.audit.services import record
from xinbao.lib.chores import register
from xinbao.notify import notify, resolve
from xinbao.periodicals.models import Instruction
from xinbao.periodicals.selectors import missing_units, overdue_filter
from xinbao.periodicals.services import INSTRUCTED_POSITIONS

BATCH = 200


def overdue_due() -> list[int]:
    """Open instructions past their deadline whose overdue notice has not gone out yet."""
    due = (
        Instruction.objects.filter(overdue_filter(timezone.localdate()))
        .filter(overdue_notified_at__isnull=True)
        .order_by("feedback_due", "pk")
    )
    return list(due.values_list("pk", flat=True)[:BATCH])


def report_overdue(pk: int) -> None:
    """Report an instruction past its deadline without feedback from every unit, once: the
    conditional UPDATE on ``overdue_notified_at`` is the claim, so two scanners never both
    send it."""
    instruction = (
        Instruction.objects.filter(overdue_filter(timezone.localdate()))
        .filter(pk=pk, overdue_notified_at__isnull=True)
        .select_related("leader", "item", "issue", "issue__periodical")
        .first()
    )
    if instruction is None:
        return
    missing = missing_units(instruction)
    if not missing:
        # Every unit answered: nothing is overdue; closing it is the editor's call.
        return
    if not Instruction.objects.filter(pk=pk, overdue_notified_at__isnull=True).update(
        overdue_notified_at=timezone.now()
    ):
        return
    on = instruction.item.title if instruction.item else str(instruction.issue)
    notify(
        to=resolve(
            roles=[Role.EDITOR, Role.SECTION_CHIEF], units=missing, positions=INSTRUCTED_POSITIONS
        ),
        event="instruction_overdue",
        context={
            "on": on,
            "leader": str(instruction.leader),
            "due": instruction.feedback_due.isoformat() if instruction.feedback_due else "",
            "missing": "、".join(u.name for u in missing),
        },
        link=f"/periodicals/instructions/{instruction.pk}/",
        key=f"instruction-{instruction.pk}-overdue",
    )
    record(
        actor=None,
        actor_name="xinbao",
        action="instruction.overdue",
        obj=instruction,
        summary={"missing": [u.name for u in missing]},
    )


register(
    "periodicals.instructions_overdue",
    dt.timedelta(minutes=10),
    due=overdue_due,
    handle=report_overdue,
)
