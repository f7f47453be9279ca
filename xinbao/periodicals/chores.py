"""The scanner's part in instructions: tell the office, once, when feedback is overdue."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from xinbao.accounts.models import Role
from xinbao.audit.services import record
from xinbao.notify import notify, resolve
from xinbao.periodicals.models import Instruction
from xinbao.periodicals.selectors import missing_units, overdue_filter
from xinbao.periodicals.services import INSTRUCTED_POSITIONS
from xinbao.scheduler.registry import register

BATCH = 200


@register("periodicals.instructions_overdue", dt.timedelta(minutes=10))
def scan_overdue() -> str:
    """Every open instruction past its deadline without feedback from every unit is reported
    once: the conditional UPDATE on ``overdue_notified_at`` is the claim, so two scanners never
    both send it."""
    now = timezone.now()
    due = (
        Instruction.objects.filter(overdue_filter(timezone.localdate()))
        .filter(overdue_notified_at__isnull=True)
        .select_related("leader", "item", "issue", "issue__periodical")
        .order_by("feedback_due", "pk")
    )
    told = 0
    for instruction in due[:BATCH]:
        missing = missing_units(instruction)
        if not missing:
            # Every unit answered: nothing is overdue; closing it is the editor's call.
            continue
        with transaction.atomic():
            if not Instruction.objects.filter(
                pk=instruction.pk, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now):
                continue
            on = instruction.item.title if instruction.item else str(instruction.issue)
            notify(
                to=resolve(
                    roles=[Role.EDITOR, Role.SECTION_CHIEF],
                    units=missing,
                    positions=INSTRUCTED_POSITIONS,
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
        told += 1
    return f"{told} overdue instructions reported"
