"""Posting a missed research commission: the rule in force on the due day, a direct point's
county credited, once per assignment, and two a year zero the unit's year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine

from xinbao.org.models import Unit
from xinbao.research.models import Assignment, CommissionForm, CommissionSource
from xinbao.research.services import create_commission
from xinbao.scoring import services
from xinbao.scoring.ledger import year_total
from xinbao.scoring.models import Cause, RuleKind, RuleSet, ScoreEntry
from xinbao.scoring.services import RuleValue
from xinbao.scoring.tests.factories import ScoringCase, noon

D = Decimal


class MissedCommissionTest(ScoringCase):
    def assignments(self, subject: str, due: dt.date, *units: Unit) -> list[Assignment]:
        with time_machine.travel(noon(due - dt.timedelta(days=10)), tick=False):
            commission = create_commission(
                subject=subject,
                requirements="情况、分析、对策。",
                source=CommissionSource.CENTRAL_WORK,
                form=CommissionForm.COMMISSIONED,
                units=list(units),
                due_on=due,
                user=self.chief,
            )
        return list(commission.assignments.order_by("unit__code"))

    def test_it_posts_the_rule_of_the_due_day_once(self) -> None:
        [assignment] = self.assignments("乡村振兴调研", dt.date(2026, 4, 10), self.county_b)
        entries = services.post_missed_commission(
            assignment=assignment,
            unit=self.county_b,
            on=dt.date(2026, 4, 10),
            explanation="约稿〔2026〕1号《乡村振兴调研》",
        )
        assert [(e.unit, e.points, e.cause, e.cause_id, e.on) for e in entries] == [
            (self.county_b, D("-10"), Cause.COMMISSION, assignment.pk, dt.date(2026, 4, 10))
        ]
        assert "乡村振兴调研" in entries[0].explanation
        again = services.post_missed_commission(
            assignment=assignment, unit=self.county_b, on=dt.date(2026, 4, 10), explanation="x"
        )
        assert again == []
        assert ScoreEntry.objects.filter(cause=Cause.COMMISSION).count() == 1

    def test_it_takes_the_value_in_force_that_day_and_credits_a_points_county(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 3, 2)), tick=False):
            services.create_ruleset(
                name="2026年第二季度起",
                effective_from=dt.date(2026, 4, 1),
                source="测试",
                rules=[RuleValue(RuleKind.DEDUCTION, "missed_commission", D("-15"))],
                user=self.chief,
            )
        [assignment] = self.assignments("校园安全调研", dt.date(2026, 4, 20), self.point)
        entries = services.post_missed_commission(
            assignment=assignment, unit=self.point, on=dt.date(2026, 4, 20), explanation="约稿"
        )
        assert [(e.unit, e.via, e.points) for e in entries] == [
            (self.point, None, D("-15")),
            (self.county_a, self.point, D("-15")),
        ]
        assert RuleSet.objects.count() == 2

    def test_it_zeroes_the_year_after_two_missed_commissions(self) -> None:
        services.post_adoption(adoption=self.adopt(self.item(self.bob), dt.date(2026, 3, 10)))
        assert year_total(self.county_b, 2026) == D("5")
        totals = []
        for subject, due in (("防汛调研", dt.date(2026, 5, 8)), ("养老调研", dt.date(2026, 9, 8))):
            [assignment] = self.assignments(subject, due, self.county_b)
            services.post_missed_commission(
                assignment=assignment, unit=self.county_b, on=due, explanation=subject
            )
            totals.append(year_total(self.county_b, 2026))
        assert totals == [D("-5"), D("0")]
