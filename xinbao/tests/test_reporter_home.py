"""A reporter's month on the home page: quota progress, instructions waiting for the unit's
feedback, the unit's points and rank this quarter; months cut at midnight in Shanghai."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.items.models import Item, ItemStatus
from xinbao.org.models import Unit
from xinbao.periodicals.models import (
    Instruction,
    InstructionFeedback,
    InstructionStatus,
    Periodical,
)
from xinbao.periodicals.selectors import waiting_for_feedback
from xinbao.periodicals.tests.factories import make_periodical
from xinbao.scoring.models import Cause, ScoreEntry
from xinbao.scoring.month import reporter_month
from xinbao.scoring.statistics import ranking
from xinbao.test import BaseTestCase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: 23:30 on 30 November in Shanghai: still November there, 15:30 UTC.
LATE_NOVEMBER = dt.datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI)
#: 00:30 on 1 December in Shanghai, while it is still 30 November (16:30) in UTC.
EARLY_DECEMBER = dt.datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)
#: The home page as a reporter, frozen: the session read and saved (4), user, the menu (2),
#: drafts, recent items (the unit's own and those crediting it: 2), demands, the month (4).
HOME_QUERIES = 15


def at(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


class ReporterHomeTest(BaseTestCase):
    daily: Periodical
    late: Item
    early: Item
    october: Item
    waiting: Instruction

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.class_one.adoptions_per_month = 2
        cls.class_one.save(update_fields=["adoptions_per_month"])
        cls.daily = make_periodical()
        alice = cls.alice
        # Submitted in November in Shanghai: at 23:00 on the 30th, and at 01:00 on the 1st,
        # which is still 31 October in UTC.
        cls.late = cls.make_item(alice, title="月末报送", submitted_at=at(30, 23))
        cls.early = cls.make_item(alice, title="月初报送", submitted_at=at(1, 1))
        # Not November's: 23:00 on 31 October in Shanghai; a withdrawn item; a draft; another
        # unit's item.
        cls.october = cls.make_item(
            alice, title="十月报送", status=ItemStatus.ADOPTED, submitted_at=at(31, 23, month=10)
        )
        cls.make_item(alice, title="已撤回", status=ItemStatus.WITHDRAWN, submitted_at=at(10, 9))
        cls.make_item(alice, title="草稿", status=ItemStatus.DRAFT)
        cls.make_item(cls.bob, title="西山县报送", submitted_at=at(10, 9))
        # Adopted in November by the office: October's item, and the late item (also by a
        # higher office: counted once). The early item only upward; an adoption in October.
        cls.adopt(cls.october, dt.date(2026, 11, 2))
        cls.adopt(cls.late, dt.date(2026, 11, 30))
        cls.adopt(cls.late, dt.date(2026, 11, 30), AdoptionLevel.PROVINCE)
        cls.adopt(cls.early, dt.date(2026, 11, 20), AdoptionLevel.PROVINCE)
        cls.adopt(
            cls.make_item(alice, title="九月报送", submitted_at=at(29, 9, month=9)),
            dt.date(2026, 10, 31),
        )
        # The fourth quarter's points: 东城县 5 and 应急局 5 share rank 2 behind 西山县's 8;
        # the direct point has none. September's 100 points are the third quarter's.
        for unit, day, points in (
            (cls.county_a, dt.date(2026, 10, 1), "3"),
            (cls.county_a, dt.date(2026, 12, 31), "2"),
            (cls.county_a, dt.date(2026, 9, 30), "100"),
            (cls.county_b, dt.date(2026, 11, 3), "8"),
            (cls.dept, dt.date(2026, 11, 3), "5.00"),
        ):
            cls.points(unit, day, points)
        # Instructions: one waiting for our feedback, one we answered, one closed, one to
        # another unit only.
        cls.waiting = cls.instruct([cls.county_a, cls.county_b], "请东城县核实有关情况。")
        answered = cls.instruct([cls.county_a], "请报送整改情况。")
        InstructionFeedback.objects.create(
            instruction=answered, unit=cls.county_a, text="已整改。", by=alice
        )
        closed = cls.instruct([cls.county_a], "已办结的批示。")
        closed.status = InstructionStatus.CLOSED
        closed.save(update_fields=["status"])
        cls.instruct([cls.county_b], "请西山县抓好落实。")

    @classmethod
    def adopt(cls, item: Item, day: dt.date, level: str = AdoptionLevel.OFFICE) -> None:
        office = level == AdoptionLevel.OFFICE
        Adoption.objects.create(
            item=item,
            level=level,
            periodical=cls.daily if office else None,
            publication="" if office else "《每日要情》（省委办公厅）",
            adopted_on=day,
            by=cls.ed,
        )

    @classmethod
    def points(cls, unit: Unit, day: dt.date, points: str) -> None:
        ScoreEntry.objects.create(
            unit=unit,
            on=day,
            points=Decimal(points),
            cause=Cause.CORRECTION,
            cause_id=0,
            explanation="测试积分",
        )

    @classmethod
    def instruct(cls, units: list[Unit], text: str) -> Instruction:
        instruction = Instruction.objects.create(
            item=cls.october, leader=cls.leader, text=text, feedback_due=dt.date(2026, 11, 27)
        )
        instruction.units.set(units)
        return instruction

    def figures(self, html: str) -> dict[str, str]:
        return dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', html))

    def test_it_counts_the_month_in_shanghai_time(self) -> None:
        with time_machine.travel(LATE_NOVEMBER, tick=False):
            month = reporter_month(self.alice)
        assert month is not None
        assert month.month == dt.date(2026, 11, 1)
        assert (month.quota, month.adoption_quota) == (6, 2)
        assert (month.submitted, month.adopted) == (2, 2)
        assert (month.submitted_percent, month.adopted_percent) == (33, 100)

        with time_machine.travel(EARLY_DECEMBER, tick=False):
            month = reporter_month(self.alice)
            self.make_item(self.alice, title="十二月第一条", submitted_at=EARLY_DECEMBER)
        assert month is not None
        assert month.month == dt.date(2026, 12, 1)
        assert (month.submitted, month.adopted) == (0, 0)
        with time_machine.travel(EARLY_DECEMBER, tick=False):
            month = reporter_month(self.alice)
        assert month is not None and month.submitted == 1

    def test_it_ranks_the_unit_in_its_class_this_quarter(self) -> None:
        with time_machine.travel(LATE_NOVEMBER, tick=False):
            month = reporter_month(self.alice)
        assert month is not None
        assert month.quarter == dt.date(2026, 10, 1)
        assert month.points == Decimal("5.00")
        assert (month.rank, month.class_size) == (2, 4)
        # The same place as in the statistics' ranking.
        rows = ranking(dt.date(2026, 10, 1), dt.date(2027, 1, 1), self.class_one)
        assert [r.rank for r in rows if r.unit == self.county_a] == [2]
        with time_machine.travel(LATE_NOVEMBER, tick=False):
            carol = reporter_month(self.carol)
        assert carol is not None and (carol.points, carol.rank) == (Decimal("0"), 4)

    def test_it_lists_only_the_instructions_waiting_for_our_feedback(self) -> None:
        with time_machine.travel(LATE_NOVEMBER, tick=False):
            waiting = waiting_for_feedback(self.alice)
        assert [i.pk for i in waiting] == [self.waiting.pk]

    def test_it_shows_the_month_on_the_home_page(self) -> None:
        self.client.force_login(self.alice)
        with time_machine.travel(LATE_NOVEMBER, tick=False):
            html = self.client.get(reverse("home")).content.decode()
        assert "Our unit this month" in html
        assert self.figures(html) == {
            "quota": "6 items to submit",
            "adoption-quota": "2 to be adopted",
            "submitted": "2",
            "adopted": "2",
            "points": "5.00",
            "rank": "2",
        }
        assert "rank 2 of 4 in 一类" in html
        assert "请东城县核实有关情况。" in html and "feedback due 2026-11-27" in html
        for other in ("请报送整改情况。", "已办结的批示。", "请西山县抓好落实。"):
            assert other not in html
        assert reverse("periodicals:instruction", args=[self.waiting.pk]) in html

    def test_it_leaves_the_month_to_reporters(self) -> None:
        self.client.force_login(self.ed)
        html = self.client.get(reverse("home")).content.decode()
        assert "Our unit this month" not in html
        assert reporter_month(self.ed) is None

    def test_it_keeps_the_query_count_frozen(self) -> None:
        with CaptureQueriesContext(connection) as selector:
            reporter_month(self.alice)
        assert len(selector.captured_queries) == 3
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as page:
            response = self.client.get(reverse("home"))
        assert response.status_code == 200
        assert len(page.captured_queries) == HOME_QUERIES, "\n".join(q["sql"][:150] for q in page)
        # More instructions and items do not cost more queries.
        for n in range(5):
            self.instruct([self.county_a], f"第{n}条批示。")
            self.make_item(self.alice, title=f"第{n}条信息")
        with CaptureQueriesContext(connection) as more:
            self.client.get(reverse("home"))
        assert len(more.captured_queries) == HOME_QUERIES
