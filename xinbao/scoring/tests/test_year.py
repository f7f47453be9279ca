"""A year of a small city (two counties and a department), posted month by month.

The totals are checked against sums done by hand, written out in the comments.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import time_machine

from xinbao.desk.models import AdoptionLevel
from xinbao.incidents.models import RecordKind
from xinbao.items.models import ItemKind
from xinbao.org.models import Unit
from xinbao.scoring import services
from xinbao.scoring.ledger import recompute, totals, year_total
from xinbao.scoring.tests.factories import ScoringCase, noon

D = Decimal
YEAR = 2026


def month_end(month: int) -> dt.date:
    return dt.date(YEAR, month, calendar.monthrange(YEAR, month)[1])


class YearTest(ScoringCase):
    def submit(self, unit: Unit, month: int, count: int) -> None:
        user = {self.county_a: self.alice, self.county_b: self.bob}.get(unit, self.ed)
        for n in range(count):
            self.make_item(
                user,
                unit=unit,
                title=f"{month}月第{n + 1}条",
                submitted_at=noon(dt.date(YEAR, month, 5)),
            )

    def test_it_scores_a_year_as_counted_by_hand(self) -> None:
        # From July the office raises 每日要情 from 5 to 8 points.
        self.new_ruleset(dt.date(YEAR, 7, 1), **{"adoption__office:每日要情": "8"})
        units = (self.county_a, self.county_b, self.dept)
        feedback_instruction = None
        for month in range(1, 13):
            mid = dt.date(YEAR, month, 15)
            with time_machine.travel(noon(mid), tick=False):
                # Submissions: county_a 6 a month; county_b 4 (Jan–Jun) then 6; dept 6, 3 in Dec.
                self.submit(self.county_a, month, 6)
                self.submit(self.county_b, month, 4 if month <= 6 else 6)
                self.submit(self.dept, month, 3 if month == 12 else 6)
                if month % 2 == 1:
                    item = self.item(self.alice, f"东城县{month}月要情")
                    services.post_adoption(adoption=self.adopt(item, mid))
                if month == 4:
                    feedback_instruction = self.instruct(
                        [self.county_a, self.county_b],
                        mid,
                        leader=self.principal,
                        feedback_due=dt.date(YEAR, 4, 30),
                    )
                    services.post_instruction(instruction=feedback_instruction)
                if month == 5:
                    late = self.accountability(self.county_b, RecordKind.LATE, mid)
                    services.post_record(accountability_record=late)
                if month == 6:
                    special = self.item(self.alice, "东城县专报")
                    services.post_adoption(
                        adoption=self.adopt(special, mid, periodical=self.special)
                    )
                if month == 8:
                    research = self.item(self.bob, "西山县调研", kind=ItemKind.ANALYSIS)
                    self.forward(research)
                    services.post_adoption(
                        adoption=self.adopt(
                            research, mid, level=AdoptionLevel.CITY, publication="澜江信息"
                        )
                    )
                if month == 10:
                    joint = self.item(
                        self.ed,
                        "三地联合信息",
                        unit=self.dept,
                        joint=[self.county_a, self.county_b],
                    )
                    services.post_adoption(adoption=self.adopt(joint, mid))
                if month == 11:
                    concealed = self.accountability(self.dept, RecordKind.CONCEALED, mid)
                    services.post_record(accountability_record=concealed)
            # The period job, on the first day of the next month.
            with time_machine.travel(noon(month_end(month) + dt.timedelta(days=1)), tick=False):
                for unit in units:
                    services.post_quota(
                        unit=unit, period_start=dt.date(YEAR, month, 1), period_end=month_end(month)
                    )
                if month == 4:
                    assert feedback_instruction is not None
                    # county_a fed back in time; county_b never did.
                    feedback_instruction.feedback.create(
                        unit=self.county_a, text="已落实。", by=self.alice
                    )
                    for unit in (self.county_a, self.county_b):
                        services.post_missed_feedback(instruction=feedback_instruction, unit=unit)
                # Posting twice changes nothing.
                for unit in units:
                    services.post_quota(
                        unit=unit, period_start=dt.date(YEAR, month, 1), period_end=month_end(month)
                    )

        # county_a: quota met 12 × 10 = 120; 每日要情 Jan, Mar, May at 5 = 15 and Jul, Sep,
        # Nov at 8 = 24; 信息专报 in June 30; instruction (office leader) +10; the joint item
        # (8 ÷ 3, rounded down to 2.66, the first unit — dept — taking the remainder) 2.66.
        # 120 + 15 + 24 + 30 + 10 + 2.66 = 201.66
        county_a = D("120") + 15 + 24 + 30 + 10 + D("2.66")
        # county_b: shortfall Jan–Jun 6 × (6 − 4) × −1 = −12; quota met Jul–Dec 6 × 10 = 60;
        # research item forwarded, adopted by the city 20 × 2 × 2 = 80; late report −5;
        # instruction +10; missed feedback −10; joint item 2.66.
        # −12 + 60 + 80 − 5 + 10 − 10 + 2.66 = 125.66
        county_b = D("-12") + 60 + 80 - 5 + 10 - 10 + D("2.66")
        # dept: quota met Jan–Nov 11 × 10 = 110; December 3 of 6 → 3 × −1 = −3; joint item
        # 8 − 2 × 2.66 = 2.68; concealed report −20.  110 − 3 + 2.68 − 20 = 89.68
        dept = D("110") - 3 + D("2.68") - 20
        assert (county_a, county_b, dept) == (D("201.66"), D("125.66"), D("89.68"))

        year = dict(totals(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), self.class_one))
        assert year[self.county_a] == county_a
        assert year[self.county_b] == county_b
        assert year[self.dept] == dept
        assert [u for u, _ in totals(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))][:3] == [
            self.county_a,
            self.county_b,
            self.dept,
        ]
        for unit, expected in (
            (self.county_a, county_a),
            (self.county_b, county_b),
            (self.dept, dept),
        ):
            assert year_total(unit, YEAR) == expected
            result = recompute(unit, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
            assert (result.derived, result.difference, result.mismatched) == (expected, D("0"), [])
        # The first half alone: county_b −12 + 10 − 10 − 5 = −17.
        first_half = dict(totals(dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 30)))
        assert first_half[self.county_b] == D("-17")
