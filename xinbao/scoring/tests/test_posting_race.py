"""Two posters that overlap post a cause once: the database refuses the second entry, and
the poster that loses the race skips it without breaking its own transaction."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import TransactionTestCase

from xinbao.incidents.models import AccountabilityRecord, Incident, RecordKind
from xinbao.lib.levels import Category, Level
from xinbao.scoring import services
from xinbao.scoring.models import Cause, Rule, RuleKind, RuleSet, ScoreEntry
from xinbao.scoring.tests.factories import noon
from xinbao.test import Personas

DAY = dt.date(2026, 3, 10)


class PostingRaceTest(Personas, TransactionTestCase):
    def setUp(self) -> None:
        self.create_personas()
        ruleset, _ = RuleSet.objects.get_or_create(
            effective_from=dt.date(2026, 1, 1), defaults={"name": "2026"}
        )
        Rule.objects.update_or_create(
            ruleset=ruleset,
            kind=RuleKind.DEDUCTION,
            key=RecordKind.LATE,
            defaults={"points": Decimal("-2")},
        )
        incident = Incident.objects.create(
            title="西山县化工厂爆炸",
            category=Category.ACCIDENT,
            level=Level.III,
            suggested_level=Level.III,
            summary="测试事件",
            created_by=self.duty,
        )
        self.record = AccountabilityRecord.objects.create(
            unit=self.county_b,
            incident=incident,
            kind=RecordKind.LATE,
            reason="书面报告超时。",
            at=noon(DAY),
        )

    def entries(self) -> list[tuple[str, Decimal]]:
        return [
            (e.unit.code, e.points)
            for e in ScoreEntry.objects.filter(cause=Cause.RECORD, cause_id=self.record.pk)
        ]

    def test_it_posts_a_cause_once_when_two_posters_overlap(self) -> None:
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []
        posted: list[int] = []

        def post() -> None:
            try:
                barrier.wait()
                with transaction.atomic():
                    posted.append(len(services.post_record(accountability_record=self.record)))
                    # The caller's transaction goes on after the posting.
                    AccountabilityRecord.objects.filter(pk=self.record.pk).update(reason="已扣分。")
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=post) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(posted) == [0, 1]
        assert self.entries() == [(self.county_b.code, Decimal("-2"))]
        assert AccountabilityRecord.objects.get(pk=self.record.pk).reason == "已扣分。"

    def test_it_refuses_a_second_live_entry_for_a_cause(self) -> None:
        (entry,) = services.post_record(accountability_record=self.record)
        with pytest.raises(IntegrityError), transaction.atomic():
            ScoreEntry.objects.create(
                unit=entry.unit,
                on=entry.on,
                points=entry.points,
                cause=entry.cause,
                cause_id=entry.cause_id,
                explanation="再次扣分",
            )
        # Corrected, the cause is posted again, under a new posting number.
        services.correct(entry=entry, reason="误扣。", user=self.chief)
        (again,) = services.post_record(accountability_record=self.record)
        assert again.posting == 1
        assert self.entries() == [(self.county_b.code, Decimal("-2"))] * 2
        assert ScoreEntry.objects.get(cause=Cause.CORRECTION).points == Decimal("2")
