"""A commission's checks: the reminder at 09:00 of the last working day before the due day
(weekends and holidays skipped), the miss from the midnight after it; each done once."""

from __future__ import annotations

import datetime as dt

import time_machine

from xinbao.calendar.models import CalendarDay
from xinbao.notify.models import Message, Notification
from xinbao.notify.services import deliver_due
from xinbao.research.chores import DEADLINES
from xinbao.research.models import AssignmentState, CommissionForm, CommissionSource
from xinbao.research.services import create_commission, missed_at, reminder_at
from xinbao.scheduler.services import run_chore
from xinbao.scoring.models import Cause, ScoreEntry
from xinbao.test import BaseTestCase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


class DeadlineTest(BaseTestCase):
    def test_it_reminds_on_the_last_working_day_before(self) -> None:
        # Due Monday 13 April 2026: reminded on Friday the 10th.
        assert reminder_at(dt.date(2026, 4, 13)) == at(dt.date(2026, 4, 10), 9)
        # A holiday on that Friday moves it to Thursday.
        CalendarDay.objects.create(date=dt.date(2026, 4, 10), is_workday=False, name="调休")
        assert reminder_at(dt.date(2026, 4, 13)) == at(dt.date(2026, 4, 9), 9)
        assert missed_at(dt.date(2026, 4, 13)) == at(dt.date(2026, 4, 14), 0)

    def test_it_reminds_and_misses_once_however_often_the_scan_runs(self) -> None:
        with time_machine.travel(at(dt.date(2026, 4, 1), 10), tick=False):
            commission = create_commission(
                subject="民营企业发展环境",
                requirements="情况、分析、对策",
                source=CommissionSource.LEADER_CONCERN,
                form=CommissionForm.JOINT,
                units=[self.point],
                due_on=dt.date(2026, 4, 13),
                user=self.chief,
            )
        with time_machine.travel(at(dt.date(2026, 4, 10), 8, 59), tick=False):
            run_chore(DEADLINES)
        assert not Message.objects.filter(event="research_reminder").exists()
        with time_machine.travel(at(dt.date(2026, 4, 10), 9, 1), tick=False):
            run_chore(DEADLINES)
            run_chore(DEADLINES)
        deliver_due()
        reminded = Notification.objects.filter(message__event="research_reminder")
        assert [n.user for n in reminded] == [self.carol]
        with time_machine.travel(at(dt.date(2026, 4, 13), 23, 59), tick=False):
            run_chore(DEADLINES)
        assignment = commission.assignments.get()
        assert assignment.state == AssignmentState.PENDING
        with time_machine.travel(at(dt.date(2026, 4, 14), 0, 1), tick=False):
            run_chore(DEADLINES)
            run_chore(DEADLINES)
        assignment.refresh_from_db()
        assert assignment.state == AssignmentState.MISSED and assignment.missed_posted
        # The direct point and, through it, its county.
        entries = ScoreEntry.objects.filter(cause=Cause.COMMISSION, cause_id=assignment.pk)
        assert sorted((e.unit.code, str(e.points)) for e in entries) == [
            ("C01", "-10.00"),
            ("P01", "-10.00"),
        ]
        deliver_due()
        missed = Notification.objects.filter(message__event="research_missed")
        assert [n.user for n in missed] == [self.carol]
