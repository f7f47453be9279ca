"""The scanner's part in scoring: the quarterly report, reminder letters, silence SMS."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.lib.chores import register
from xinbao.scoring.reports import make_report, send_letters, send_silence_sms
from xinbao.scoring.statistics import period_bounds


def scan_report() -> str:
    """Once the quarter has ended, make its report (exactly once: unique per quarter)."""
    this_quarter, _ = period_bounds("quarter", timezone.localdate())
    report = make_report(this_quarter - dt.timedelta(days=1))
    return f"report of {report.quarter_start} made" if report else "no report due"


def scan_reminders() -> str:
    """Reminder letters from the configured day of the month; silence SMS after a month."""
    today = timezone.localdate()
    letters = send_letters(today)
    sms = send_silence_sms(today)
    return f"{letters} reminder letters, {sms} silence SMS"


def post_ledger() -> str:
    """Post whatever has earned or lost points and is not in the ledger yet.

    Every posting function is idempotent per cause and unit, so this may run as often as
    wanted; a cause corrected by hand is not posted again here (its entry still exists).
    """
    from xinbao.desk.models import Adoption
    from xinbao.incidents.models import AccountabilityRecord
    from xinbao.org.models import Unit
    from xinbao.periodicals.models import Instruction
    from xinbao.scoring import services
    from xinbao.scoring.ledger import quota_cause_id
    from xinbao.scoring.models import Cause, ScoreEntry

    def posted(cause: str) -> set[int]:
        return set(ScoreEntry.objects.filter(cause=cause).values_list("cause_id", flat=True))

    before = ScoreEntry.objects.count()
    for adoption in Adoption.objects.exclude(pk__in=posted(Cause.ADOPTION)).order_by("pk"):
        services.post_adoption(adoption=adoption)
    forwarded = Instruction.objects.filter(forwarded_at__isnull=False)
    for instruction in forwarded.exclude(pk__in=posted(Cause.INSTRUCTION)).order_by("pk"):
        services.post_instruction(instruction=instruction)
    records = AccountabilityRecord.objects.exclude(pk__in=posted(Cause.RECORD)).order_by("pk")
    for accountability in records:
        services.post_record(accountability_record=accountability)
    # The quota of the month that ended last, once per unit.
    this_month, _ = period_bounds("month", timezone.localdate())
    last_month, _ = period_bounds("month", this_month - dt.timedelta(days=1))
    cause_id = quota_cause_id(last_month, this_month - dt.timedelta(days=1))
    done = set(
        ScoreEntry.objects.filter(
            cause=Cause.QUOTA, cause_id=cause_id, via__isnull=True
        ).values_list("unit_id", flat=True)
    )
    for unit in Unit.objects.filter(is_active=True).exclude(pk__in=done).order_by("pk"):
        services.post_quota(
            unit=unit, period_start=last_month, period_end=this_month - dt.timedelta(days=1)
        )
    # Units that gave no feedback (or late feedback) on an instruction past its due day.
    today = timezone.localdate()
    overdue = Instruction.objects.filter(feedback_due__lt=today).prefetch_related(
        "units", "feedback"
    )
    charged = set(
        ScoreEntry.objects.filter(cause=Cause.FEEDBACK).values_list("cause_id", "unit_id")
    )
    for instruction in overdue:
        answered = {f.unit_id for f in instruction.feedback.all() if not f.late}
        for unit in instruction.units.all():
            if unit.pk not in answered and (instruction.pk, unit.pk) not in charged:
                services.post_missed_feedback(instruction=instruction, unit=unit)
    return f"{ScoreEntry.objects.count() - before} ledger entries posted"


# Each keeps its own claims and short transactions (a report or letter is rendered before the
# transaction that records it; every posting is a service of its own, idempotent per cause):
# no transaction around the whole, so one failure keeps what was done before it.
register("scoring.report", dt.timedelta(hours=1), run=scan_report, atomic=False)
register("scoring.reminders", dt.timedelta(hours=1), run=scan_reminders, atomic=False)
register("scoring.post", dt.timedelta(minutes=10), run=post_ledger, atomic=False)
