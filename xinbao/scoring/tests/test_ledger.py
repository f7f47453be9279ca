"""The ledger: posting every kind of cause, splits, counties, versions, corrections, recompute."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from xinbao.audit.models import AuditEvent
from xinbao.desk.models import AdoptionLevel
from xinbao.incidents.models import RecordKind
from xinbao.items.models import ItemKind
from xinbao.org.models import Unit, UnitKind
from xinbao.periodicals.models import InstructionFeedback
from xinbao.scoring import services
from xinbao.scoring.ledger import recompute, split, stored_total, totals, year_total
from xinbao.scoring.models import Cause, Rule, RuleKind, ScoreEntry
from xinbao.scoring.rules import value
from xinbao.scoring.services import ScoringError
from xinbao.scoring.tests.factories import ScoringCase, noon

D = Decimal
DAY = dt.date(2026, 3, 10)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def points_of(unit: Unit, **filters: object) -> list[Decimal]:
    return [e.points for e in ScoreEntry.objects.filter(unit=unit, **filters).order_by("pk")]


class AdoptionTest(ScoringCase):
    def test_it_scores_an_adoption_by_periodical(self) -> None:
        entries = services.post_adoption(adoption=self.adopt(self.item(self.bob), DAY))
        assert [(e.unit, e.points, e.cause) for e in entries] == [
            (self.county_b, D("5"), Cause.ADOPTION)
        ]
        assert entries[0].rule is not None and entries[0].rule.key == "office:每日要情"
        special = self.adopt(self.item(self.bob, "西山县专报"), DAY, periodical=self.special)
        assert services.post_adoption(adoption=special)[0].points == D("30")

    def test_it_scores_adoptions_by_higher_offices(self) -> None:
        expected = {
            AdoptionLevel.CITY: D("20"),
            AdoptionLevel.PROVINCE: D("50"),
            AdoptionLevel.CENTRAL: D("100"),
        }
        for level, points in expected.items():
            item = self.item(self.bob, f"西山县信息被{level}采用")
            adoption = self.adopt(item, DAY, level=level, publication="某刊物")
            assert services.post_adoption(adoption=adoption)[0].points == points

    def test_it_doubles_research_and_forwarded_items(self) -> None:
        research = self.item(self.bob, "西山县乡村振兴调研", kind=ItemKind.ANALYSIS)
        # 5 (每日要情) × 2 (research)
        assert services.post_adoption(adoption=self.adopt(research, DAY))[0].points == D("10")
        forwarded = self.item(self.bob, "西山县经验做法")
        self.forward(forwarded)
        city = self.adopt(forwarded, DAY, level=AdoptionLevel.CITY)
        # 20 (city) × 2 (forwarded)
        assert services.post_adoption(adoption=city)[0].points == D("40")
        both = self.item(self.bob, "西山县调研报告", kind=ItemKind.PROPOSAL)
        self.forward(both)
        province = self.adopt(both, DAY, level=AdoptionLevel.PROVINCE)
        # 50 (province) × 2 (research) × 2 (forwarded)
        assert services.post_adoption(adoption=province)[0].points == D("200")
        # Forwarding earns nothing extra for the office's own periodical.
        own = self.item(self.bob, "西山县动态")
        self.forward(own)
        assert services.post_adoption(adoption=self.adopt(own, DAY))[0].points == D("5")

    def test_it_splits_a_joint_report_to_the_cent(self) -> None:
        assert split(D("10"), 3) == [D("3.34"), D("3.33"), D("3.33")]
        assert split(D("-10"), 3) == [D("-3.34"), D("-3.33"), D("-3.33")]
        rule = Rule.objects.get(ruleset__effective_from=dt.date(2000, 1, 1), key="office:综合信息")
        assert rule.points == D("10")
        periodical = self.special.__class__.objects.create(
            name="综合信息", frequency="weekly", issuing_office="中共澜江市委办公室"
        )
        item = self.item(self.alice, "三地联合报送", joint=[self.county_b, self.dept])
        entries = services.post_adoption(adoption=self.adopt(item, DAY, periodical=periodical))
        assert [(e.unit, e.points) for e in entries] == [
            (self.county_a, D("3.34")),
            (self.county_b, D("3.33")),
            (self.dept, D("3.33")),
        ]
        assert sum(e.points for e in entries) == D("10")

    def test_it_credits_the_units_merged_into_a_comprehensive_item(self) -> None:
        comprehensive = self.item(self.alice, "全市防汛综合", kind=ItemKind.COMPREHENSIVE)
        for user in (self.alice, self.bob):
            source = self.item(user, f"{user.unit}防汛")
            source.merged_into = comprehensive
            source.save()
        entries = services.post_adoption(adoption=self.adopt(comprehensive, DAY))
        assert [(e.unit, e.points) for e in entries] == [
            (self.county_a, D("2.50")),
            (self.county_b, D("2.50")),
        ]

    def test_it_counts_a_direct_points_score_for_its_county(self) -> None:
        assert self.point.kind == UnitKind.DIRECT_POINT and self.point.county == self.county_a
        entries = services.post_adoption(adoption=self.adopt(self.item(self.carol), DAY))
        assert [(e.unit, e.via, e.points) for e in entries] == [
            (self.point, None, D("5")),
            (self.county_a, self.point, D("5")),
        ]
        with self.assertNumQueries(1):
            ranked = dict(totals(*MARCH))
        assert ranked[self.point] == D("5")
        assert ranked[self.county_a] == D("5")
        assert ranked[self.county_b] == D("0")

    def test_it_uses_the_rule_set_in_force_on_each_adoptions_day(self) -> None:
        self.new_ruleset(dt.date(2026, 7, 1), **{"adoption__office:每日要情": "8"})
        before = self.adopt(self.item(self.bob, "六月信息"), dt.date(2026, 6, 30))
        after = self.adopt(self.item(self.bob, "七月信息"), dt.date(2026, 7, 1))
        [old] = services.post_adoption(adoption=before)
        [new] = services.post_adoption(adoption=after)
        assert (old.points, new.points) == (D("5"), D("8"))
        assert old.rule is not None and new.rule is not None
        assert old.rule.ruleset.effective_from == dt.date(2000, 1, 1)
        assert new.rule.ruleset.effective_from == dt.date(2026, 7, 1)
        assert recompute(self.county_b, dt.date(2026, 1, 1), dt.date(2026, 12, 31)).difference == 0

    def test_it_posts_each_cause_once(self) -> None:
        adoption = self.adopt(self.item(self.carol), DAY)
        first = services.post_adoption(adoption=adoption)
        events = AuditEvent.objects.filter(action="scoring_posted").count()
        assert len(first) == 2
        assert services.post_adoption(adoption=adoption) == []
        assert ScoreEntry.objects.filter(cause=Cause.ADOPTION, cause_id=adoption.pk).count() == 2
        assert AuditEvent.objects.filter(action="scoring_posted").count() == events


class InstructionTest(ScoringCase):
    def test_it_gives_each_unit_concerned_the_bonus_of_the_leaders_level(self) -> None:
        instruction = self.instruct([self.county_b, self.dept], DAY, leader=self.principal)
        entries = services.post_instruction(instruction=instruction)
        assert [(e.unit, e.points, e.on) for e in entries] == [
            (self.county_b, D("10"), DAY),
            (self.dept, D("10"), DAY),
        ]
        assert entries[0].rule is not None and entries[0].rule.key == "office"

    def test_it_gives_nothing_for_an_instruction_of_no_known_level(self) -> None:
        instruction = self.instruct([self.county_b], DAY, leader=self.ed)
        assert services.post_instruction(instruction=instruction) == []

    def test_it_deducts_for_missed_feedback_once_overdue(self) -> None:
        due = dt.date(2026, 3, 20)
        instruction = self.instruct([self.county_b, self.dept], DAY, feedback_due=due)
        InstructionFeedback.objects.create(
            instruction=instruction, unit=self.dept, text="已落实。", by=self.ed
        )
        with time_machine.travel(noon(due), tick=False), pytest.raises(ScoringError):
            services.post_missed_feedback(instruction=instruction, unit=self.county_b)
        with time_machine.travel(noon(due + dt.timedelta(days=1)), tick=False):
            [entry] = services.post_missed_feedback(instruction=instruction, unit=self.county_b)
            fed_back = services.post_missed_feedback(instruction=instruction, unit=self.dept)
        assert (entry.unit, entry.points, entry.on, entry.cause) == (
            self.county_b,
            D("-10"),
            due,
            Cause.FEEDBACK,
        )
        assert fed_back == []


class RecordTest(ScoringCase):
    def test_it_deducts_for_late_missed_and_concealed_reports(self) -> None:
        expected = {RecordKind.LATE: D("-5"), RecordKind.MISSED: D("-10")}
        expected[RecordKind.CONCEALED] = D("-20")
        for kind, points in expected.items():
            record = self.accountability(self.county_b, kind, DAY)
            [entry] = services.post_record(accountability_record=record)
            assert (entry.points, entry.cause, entry.on) == (points, Cause.RECORD, DAY)
        assert stored_total(self.county_b, *MARCH) == D("-35")

    def test_it_commends_only_where_the_rule_set_has_a_value(self) -> None:
        record = self.accountability(self.county_b, RecordKind.COMMENDED, DAY)
        assert services.post_record(accountability_record=record) == []
        ruleset = self.new_ruleset(dt.date(2026, 1, 1))
        Rule.objects.create(ruleset=ruleset, kind=RuleKind.DEDUCTION, key="commended", points=3)
        assert services.post_record(accountability_record=record)[0].points == D("3")

    def test_it_deducts_a_direct_points_record_from_its_county_too(self) -> None:
        record = self.accountability(self.point, RecordKind.MISSED, DAY)
        entries = services.post_record(accountability_record=record)
        assert [(e.unit, e.via, e.points) for e in entries] == [
            (self.point, None, D("-10")),
            (self.county_a, self.point, D("-10")),
        ]


class QuotaTest(ScoringCase):
    def test_it_gives_base_points_when_the_quota_is_met(self) -> None:
        assert self.county_b.unit_class.quota_per_month == 6
        self.submitted(self.bob, dt.date(2026, 3, 2), 6)
        [entry] = services.post_quota(
            unit=self.county_b, period_start=MARCH[0], period_end=MARCH[1]
        )
        assert (entry.points, entry.on, entry.cause) == (D("10"), MARCH[1], Cause.QUOTA)
        assert entry.cause_id == 2026030120260331

    def test_it_deducts_per_missing_item(self) -> None:
        self.submitted(self.bob, dt.date(2026, 3, 2), 4)
        self.submitted(self.bob, dt.date(2026, 4, 1), 5)  # next period: not counted
        [entry] = services.post_quota(
            unit=self.county_b, period_start=MARCH[0], period_end=MARCH[1]
        )
        assert entry.points == D("-2")  # 6 owed, 4 submitted: 2 × −1

    def test_it_scores_a_quarter_as_three_months(self) -> None:
        self.submitted(self.bob, dt.date(2026, 2, 2), 18)
        [entry] = services.post_quota(
            unit=self.county_b, period_start=dt.date(2026, 1, 1), period_end=MARCH[1]
        )
        assert entry.points == D("30")


class CommissionTest(ScoringCase):
    def commission(self, unit: Unit, day: dt.date, cause_id: int) -> ScoreEntry:
        rule, points = value(RuleKind.DEDUCTION, "missed_commission", day)
        return ScoreEntry.objects.create(
            unit=unit,
            on=day,
            points=points,
            cause=Cause.COMMISSION,
            cause_id=cause_id,
            rule=rule,
            explanation="未按时完成约稿",
        )

    def test_it_zeroes_the_year_after_two_missed_commissions(self) -> None:
        services.post_adoption(adoption=self.adopt(self.item(self.bob), DAY))
        first = self.commission(self.county_b, dt.date(2026, 4, 1), 1)
        assert first.points == D("-10")
        assert year_total(self.county_b, 2026) == D("-5")  # 5 − 10
        self.commission(self.county_b, dt.date(2026, 9, 1), 2)
        assert year_total(self.county_b, 2026) == D("0")
        # Another year is untouched; so is the year once a missed commission is corrected.
        self.commission(self.county_b, dt.date(2027, 1, 5), 3)
        assert year_total(self.county_b, 2027) == D("-10")
        services.correct(entry=first, reason="约稿已按时完成，登记有误。", user=self.chief)
        assert year_total(self.county_b, 2026) == D("-5")  # 5 − 10 (second one only)
        assert recompute(self.county_b, dt.date(2026, 1, 1), dt.date(2026, 12, 31)).difference == 0


class CorrectionTest(ScoringCase):
    def test_it_corrects_by_a_reversing_entry(self) -> None:
        adoption = self.adopt(self.item(self.bob), DAY)
        [entry] = services.post_adoption(adoption=adoption)
        reversal = services.correct(entry=entry, reason="采用登记错误。", user=self.chief)
        entry.refresh_from_db()
        assert entry.points == D("5")  # untouched
        assert (reversal.points, reversal.reverses, reversal.on) == (D("-5"), entry, DAY)
        assert reversal.cause == Cause.CORRECTION
        assert stored_total(self.county_b, *MARCH) == D("0")
        assert AuditEvent.objects.filter(action="scoring_corrected").exists()
        with pytest.raises(ScoringError):
            services.correct(entry=entry, reason="再次更正。", user=self.chief)
        with pytest.raises(ScoringError):
            services.correct(entry=reversal, reason="更正的更正。", user=self.chief)
        assert recompute(self.county_b, *MARCH).difference == 0

    def test_it_reposts_a_corrected_cause_under_the_rule_in_force(self) -> None:
        adoption = self.adopt(self.item(self.bob), DAY)
        [entry] = services.post_adoption(adoption=adoption)
        rule = entry.rule
        assert rule is not None
        # The office edits the value in place: the stored entry no longer follows from it.
        rule.points = D("6")
        rule.save()
        drift = recompute(self.county_b, *MARCH)
        assert (drift.stored, drift.derived, drift.mismatched) == (D("5"), D("6"), [entry.pk])
        services.correct(entry=entry, reason="按修订后的分值重计。", user=self.chief)
        [again] = services.post_adoption(adoption=adoption)
        assert again.points == D("6")
        assert stored_total(self.county_b, *MARCH) == D("6")  # 5 − 5 + 6
        assert recompute(self.county_b, *MARCH).difference == 0

    def test_it_reverses_a_direct_points_county_copy_with_it(self) -> None:
        [own, copy] = services.post_adoption(adoption=self.adopt(self.item(self.carol), DAY))
        services.correct(entry=own, reason="非本单位信息。", user=self.chief)
        assert copy.reversed_by.points == D("-5")
        assert stored_total(self.county_a, *MARCH) == D("0")
        assert stored_total(self.point, *MARCH) == D("0")


class RecomputeTest(ScoringCase):
    def test_it_recomputes_every_kind_to_the_stored_totals(self) -> None:
        joint = self.item(self.carol, "联合报送", joint=[self.county_b, self.dept])
        services.post_adoption(adoption=self.adopt(joint, DAY))
        research = self.item(self.carol, "直报点调研", kind=ItemKind.ASSESSMENT)
        self.forward(research)
        services.post_adoption(adoption=self.adopt(research, DAY, level=AdoptionLevel.CITY))
        services.post_instruction(instruction=self.instruct([self.point, self.county_b], DAY))
        services.post_record(
            accountability_record=self.accountability(self.point, RecordKind.LATE, DAY)
        )
        self.submitted(self.carol, dt.date(2026, 3, 3), 2)
        for unit in (self.point, self.county_a, self.county_b, self.dept):
            services.post_quota(unit=unit, period_start=MARCH[0], period_end=MARCH[1])
        stored = dict(totals(*MARCH))
        for unit in (self.point, self.county_a, self.county_b, self.dept):
            result = recompute(unit, *MARCH)
            assert result.difference == 0, unit
            assert result.mismatched == []
            assert result.stored == stored[unit]
        # joint adoption 每日要情 5 ÷ 3: each 1.66 (rounded down), the first (the point)
        # 5 − 2 × 1.66 = 1.68; research forwarded city 20 × 2 × 2 = 80; instruction +10;
        # late −5; quota: 2 of 6 submitted → 4 × −1 = −4.
        assert stored[self.point] == D("1.68") + 80 + 10 - 5 - 4  # 82.68
        # county_a: the point's 82.68 (via) and its own quota, 0 of 6 → −6.
        assert stored[self.county_a] == D("82.68") - 6
        assert stored[self.county_b] == D("1.66") + 10 - 6
        assert stored[self.dept] == D("1.66") - 6
