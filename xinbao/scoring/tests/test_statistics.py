"""Statistics per unit and period, on a small dataset whose figures were worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.incidents.models import Incident, ReportRequest, RequestStatus
from xinbao.items.models import Item, ItemKind, ItemStatus
from xinbao.org.models import Unit, UnitClass, UnitKind
from xinbao.periodicals.models import Instruction, Periodical
from xinbao.scoring import statistics
from xinbao.scoring.models import Cause, ScoreEntry
from xinbao.scoring.statistics import period_bounds
from xinbao.test import BaseTestCase

SHANGHAI = ZoneInfo("Asia/Shanghai")
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 10, 1))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class ScoringData(BaseTestCase):
    """Q3 2026, by hand:

    county A: submitted 4 (2 quality), adopted 3, points 8, instructions 1, demands 1/3 on time;
    county B: submitted 2 (1 quality), adopted 0, points −8, instructions 1, no demands;
    the department: points 1.5, nothing else; the direct point: nothing.
    """

    a_items: list[Item]
    b_items: list[Item]
    class_two: UnitClass
    bureau: Unit
    n = 0

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.class_two = UnitClass.objects.create(name="二类", rank=2)
        cls.bureau = Unit.objects.create(
            code="D02",
            name="市教育局",
            kind=UnitKind.MUNICIPAL_DEPARTMENT,
            unit_class=cls.class_two,
        )
        a = cls.alice
        # 00:30 on 1 July in Shanghai is still 30 June in UTC: it counts for July.
        cls.a_items = [
            cls.make_item(a, kind=ItemKind.DYNAMIC, submitted_at=at(2026, 7, 1, 0, 30)),
            cls.make_item(a, kind=ItemKind.DYNAMIC, submitted_at=at(2026, 7, 20, 9)),
            cls.make_item(a, kind=ItemKind.ANALYSIS, submitted_at=at(2026, 8, 3, 9)),
            cls.make_item(a, kind=ItemKind.PROPOSAL, submitted_at=at(2026, 9, 30, 23, 59)),
        ]
        june = cls.make_item(a, kind=ItemKind.ANALYSIS, submitted_at=at(2026, 6, 30, 23, 59))
        cls.make_item(a, status=ItemStatus.DRAFT)
        cls.make_item(a, status=ItemStatus.WITHDRAWN, submitted_at=at(2026, 7, 2, 9))
        cls.make_item(a, kind=ItemKind.ANALYSIS, submitted_at=at(2026, 10, 1, 0, 0))
        cls.b_items = [
            cls.make_item(cls.bob, kind=ItemKind.DYNAMIC, submitted_at=at(2026, 8, 8, 8)),
            cls.make_item(cls.bob, kind=ItemKind.ASSESSMENT, submitted_at=at(2026, 9, 9, 9)),
        ]

        daily = Periodical.objects.create(
            name="每日要情", frequency="daily", issuing_office="中共澜江市委办公室"
        )
        weekly = Periodical.objects.create(
            name="澜江信息", frequency="weekly", issuing_office="中共澜江市委办公室"
        )

        def adopt(item: Item, on: dt.date, **extra: object) -> None:
            extra.setdefault("level", AdoptionLevel.OFFICE)
            Adoption.objects.create(item=item, adopted_on=on, by=cls.ed, **extra)

        adopt(cls.a_items[0], dt.date(2026, 7, 10), periodical=daily)
        adopt(cls.a_items[0], dt.date(2026, 7, 12), periodical=weekly)  # same item: counted once
        adopt(cls.a_items[2], dt.date(2026, 8, 1), periodical=daily)
        adopt(june, dt.date(2026, 7, 2), periodical=daily)  # submitted before, adopted now
        adopt(cls.b_items[0], dt.date(2026, 8, 9), level=AdoptionLevel.CITY, publication="市信息")
        adopt(cls.b_items[1], dt.date(2026, 10, 1), periodical=weekly)  # next quarter

        for unit, on, points in (
            (cls.county_a, dt.date(2026, 7, 1), "5"),
            (cls.county_a, dt.date(2026, 9, 30), "3"),
            (cls.county_a, dt.date(2026, 10, 1), "100"),
            (cls.county_a, dt.date(2026, 6, 30), "100"),
            (cls.county_b, dt.date(2026, 8, 1), "2"),
            (cls.county_b, dt.date(2026, 8, 2), "-10"),
            (cls.dept, dt.date(2026, 9, 1), "1.5"),
            (cls.bureau, dt.date(2026, 9, 1), "7"),
        ):
            cls.entry(unit, on, points)

        given = Instruction.objects.create(item=cls.a_items[0], leader=cls.leader, text="请跟踪")
        given.units.set([cls.county_a, cls.county_b])
        Instruction.objects.filter(pk=given.pk).update(created_at=at(2026, 7, 15, 10))
        old = Instruction.objects.create(item=june, leader=cls.leader, text="已阅")
        old.units.set([cls.county_a])
        Instruction.objects.filter(pk=old.pk).update(created_at=at(2026, 6, 20, 10))

        for due, reported, status in (
            (at(2026, 7, 5, 10), at(2026, 7, 5, 9), RequestStatus.REPORTED),  # on time
            (at(2026, 8, 5, 10), at(2026, 8, 5, 11), RequestStatus.REPORTED),  # late
            (at(2026, 9, 1, 10), None, RequestStatus.SENT),  # missed
            (at(2026, 10, 2, 10), None, RequestStatus.SENT),  # next quarter
            (at(2026, 8, 9, 10), None, RequestStatus.CANCELLED),  # not counted
        ):
            cls.demand(cls.county_a, due, reported, status)

    @classmethod
    def entry(cls, unit: Unit, on: dt.date, points: str) -> ScoreEntry:
        cls.n += 1
        return ScoreEntry.objects.create(
            unit=unit,
            on=on,
            points=Decimal(points),
            cause=Cause.ADOPTION,
            cause_id=cls.n,
            explanation="采用",
        )

    @classmethod
    def demand(
        cls, unit: Unit, due: dt.datetime, reported: dt.datetime | None, status: str
    ) -> ReportRequest:
        incident = Incident.objects.create(
            title="某镇道路塌陷", category="accident", level=4, suggested_level=4,
            summary="道路塌陷", created_by=cls.duty,
        )  # fmt: skip
        return ReportRequest.objects.create(
            incident=incident,
            unit=unit,
            matter="书面报告",
            sent_at=due - dt.timedelta(hours=1),
            written_due_at=due,
            reported_at=reported,
            status=status,
            created_by=cls.duty,
        )


class PeriodTest(BaseTestCase):
    def test_it_bounds_months_quarters_and_years(self) -> None:
        assert period_bounds("month", dt.date(2024, 2, 29)) == (
            dt.date(2024, 2, 1),
            dt.date(2024, 3, 1),
        )
        assert period_bounds("month", dt.date(2026, 12, 5)) == (
            dt.date(2026, 12, 1),
            dt.date(2027, 1, 1),
        )
        assert period_bounds("quarter", dt.date(2026, 11, 28)) == (
            dt.date(2026, 10, 1),
            dt.date(2027, 1, 1),
        )
        assert period_bounds("quarter", dt.date(2026, 7, 1)) == Q3
        assert period_bounds("year", dt.date(2026, 5, 5)) == (
            dt.date(2026, 1, 1),
            dt.date(2027, 1, 1),
        )


class StatisticsTest(ScoringData):
    def by_unit(self, unit_class: UnitClass | None = None) -> dict[str, statistics.UnitStats]:
        return {s.unit.code: s for s in statistics.unit_statistics(*Q3, unit_class)}

    def test_it_counts_what_each_unit_did_in_the_period(self) -> None:
        stats = self.by_unit()
        a, b = stats["C01"], stats["C02"]
        assert (a.submitted, a.quality, a.adopted) == (4, 2, 3)
        assert a.adoption_rate == 0.75
        assert a.quality_share == 0.5
        assert a.points == Decimal("8")
        assert a.instructions == 1
        assert (a.urgent_due, a.urgent_on_time) == (3, 1)
        assert a.timeliness == 1 / 3
        assert (b.submitted, b.quality, b.adopted, b.points) == (2, 1, 0, Decimal("-8"))
        assert b.adoption_rate == 0
        assert b.instructions == 1
        assert b.timeliness is None
        point = stats["P01"]
        assert (point.submitted, point.points, point.instructions) == (0, Decimal("0"), 0)
        assert point.adoption_rate is None and point.quality_share is None
        assert stats["D01"].points == Decimal("1.5")
        assert stats["D02"].points == Decimal("7")

    def test_it_keeps_to_one_class(self) -> None:
        assert set(self.by_unit(self.class_one)) == {"C01", "C02", "D01", "P01"}
        assert set(self.by_unit(self.class_two)) == {"D02"}

    def test_it_ranks_by_points_with_ties_sharing_a_rank(self) -> None:
        rows = statistics.ranking(*Q3, self.class_one)
        assert [(r.rank, r.unit.code, r.points) for r in rows] == [
            (1, "C01", Decimal("8")),
            (2, "D01", Decimal("1.5")),
            (3, "P01", Decimal("0")),
            (4, "C02", Decimal("-8")),
        ]
        self.entry(self.point, dt.date(2026, 8, 1), "1.5")
        ranks = {r.unit.code: r.rank for r in statistics.ranking(*Q3, self.class_one)}
        assert ranks == {"C01": 1, "D01": 2, "P01": 2, "C02": 4}

    def test_it_adds_up_totals(self) -> None:
        t = statistics.totals(statistics.unit_statistics(*Q3, self.class_one))
        assert (t.submitted, t.adopted, t.points, t.urgent_due) == (6, 3, Decimal("1.5"), 3)
        assert t.quality_share == 0.5

    def test_it_shows_the_quality_mix(self) -> None:
        mix = statistics.kind_mix(*Q3)
        assert mix == {
            "dynamic": 3,
            "comprehensive": 0,
            "analysis": 1,
            "assessment": 1,
            "proposal": 1,
        }
        assert statistics.kind_mix(*Q3, unit=self.county_b)["assessment"] == 1
        assert sum(statistics.kind_mix(*Q3, self.class_two).values()) == 0

    def test_it_draws_the_monthly_trend(self) -> None:
        months = statistics.trend(self.county_a, 4, until=dt.date(2026, 9, 15))
        assert [(m.month.month, m.points, m.submitted) for m in months] == [
            (6, Decimal("100"), 1),
            (7, Decimal("5"), 2),
            (8, Decimal("0"), 1),
            (9, Decimal("3"), 1),
        ]
        everyone = statistics.trend(None, 3, until=dt.date(2026, 9, 1))
        assert [(m.points, m.submitted) for m in everyone] == [
            (Decimal("5"), 2),
            (Decimal("-8"), 2),
            (Decimal("11.5"), 2),
        ]
        two = statistics.trend(None, 1, until=dt.date(2026, 9, 1), unit_class=self.class_two)
        assert two[0].points == Decimal("7")

    def test_it_needs_the_same_queries_for_many_units(self) -> None:
        with CaptureQueriesContext(connection) as few:
            statistics.ranking(*Q3)
        for i in range(30):
            unit = Unit.objects.create(
                code=f"X{i:02d}", name=f"新增单位{i}", kind=UnitKind.COUNTY,
                unit_class=self.class_two,
            )  # fmt: skip
            self.entry(unit, dt.date(2026, 8, 1), str(i))
            self.make_item(self.alice, unit=unit, submitted_at=at(2026, 8, 1, 9))
            self.demand(unit, at(2026, 8, 2, 9), at(2026, 8, 2, 8), RequestStatus.REPORTED)
        with CaptureQueriesContext(connection) as many:
            rows = statistics.ranking(*Q3)
        assert len(rows) == 35
        assert rows[0].points == Decimal("29")
        assert len(few) == len(many) == 6
        with CaptureQueriesContext(connection) as trend:
            statistics.trend(None, 12)
        assert len(trend) == 2
