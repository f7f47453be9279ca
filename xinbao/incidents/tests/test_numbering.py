"""Chase notices and notices (通报) are numbered by one series per kind and year, taken under a
lock: notices made at the same moment get distinct, consecutive numbers."""

from __future__ import annotations

import datetime as dt
import threading

import time_machine
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.utils import timezone

from xinbao.incidents import chase
from xinbao.incidents.models import (
    AccountabilityRecord,
    ChaseNotice,
    Incident,
    Notice,
    NoticeKind,
    RecordKind,
    ReportRequest,
)
from xinbao.incidents.notices import make_notice
from xinbao.incidents.numbering import next_number, peek_number
from xinbao.lib.levels import Category, Level
from xinbao.test import Personas

T0 = dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.UTC)  # 23:00 on New Year's Eve in Shanghai


class NumberingTest(Personas, TransactionTestCase):
    def setUp(self) -> None:
        self.create_personas()

    def incident(self, title: str) -> Incident:
        return Incident.objects.create(
            title=title,
            category=Category.ACCIDENT,
            level=Level.III,
            suggested_level=Level.III,
            summary=title,
            created_by=self.duty,
        )

    def test_it_gives_concurrent_notices_distinct_consecutive_numbers(self) -> None:
        records = [
            AccountabilityRecord.objects.create(
                unit=self.county_a,
                incident=self.incident(f"事件{n}"),
                kind=RecordKind.LATE,
                reason="迟报。",
                at=timezone.now(),
            )
            for n in range(6)
        ]
        barrier = threading.Barrier(len(records))
        made: list[str] = []
        errors: list[BaseException] = []

        def make(entry: AccountabilityRecord) -> None:
            try:
                barrier.wait()
                notice = make_notice(user=self.chief, kind=NoticeKind.CRITICISE, records=[entry])
                made.append(notice.number)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        with time_machine.travel(T0, tick=False):
            threads = [threading.Thread(target=make, args=(r,)) for r in records]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert errors == []
        assert sorted(made) == [f"2026-{n:03d}" for n in range(1, 7)]
        assert Notice.objects.count() == 6

    def test_it_numbers_each_kind_and_year_on_its_own(self) -> None:
        incident = self.incident("化工厂爆炸")
        request = ReportRequest.objects.create(
            incident=incident,
            unit=self.county_a,
            matter="化工厂爆炸伤亡情况",
            sent_at=T0 - dt.timedelta(hours=2),
            written_due_at=T0 - dt.timedelta(hours=1),
            created_by=self.duty,
        )
        with time_machine.travel(T0, tick=False) as tm:
            # A notice numbered before the series existed still counts.
            Notice.objects.create(
                kind=NoticeKind.COMMEND, number="2026-007", title="表扬", created_by=self.chief
            )
            assert peek_number(Notice, T0) == "2026-008"
            assert peek_number(ChaseNotice, T0) == "2026-001"
            first = chase.issue_notice(request, T0 + dt.timedelta(minutes=30))
            assert first.number == "2026-001"
            with transaction.atomic():
                assert next_number(Notice, T0) == "2026-008"
            # New Year in Shanghai (16:00 UTC): both series start again.
            tm.move_to(T0 + dt.timedelta(hours=1))
            second = chase.issue_notice(request, timezone.now() + dt.timedelta(minutes=30))
            assert second.number == "2027-001"
            with transaction.atomic():
                assert next_number(Notice, timezone.now()) == "2027-001"
