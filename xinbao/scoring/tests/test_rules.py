"""Rules as data: the default table, the rule set in force on a day, keys and fallbacks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xinbao.scoring.models import RuleKind, RuleSet
from xinbao.scoring.rules import ruleset_on, value, value_in
from xinbao.scoring.tests.factories import ScoringCase

D = Decimal


class DefaultTableTest(ScoringCase):
    def test_it_installs_the_default_rules_from_the_cited_rule(self) -> None:
        ruleset = RuleSet.objects.get(effective_from=dt.date(2000, 1, 1))
        assert "常政办发〔2014〕97号" in ruleset.source
        day = dt.date(2026, 3, 1)
        # 常政办发〔2014〕97号 三（一）1 and 三（二）1–2.
        assert value(RuleKind.QUOTA, "met", day)[1] == D("10")
        assert value(RuleKind.ADOPTION, "office:每日要情", day)[1] == D("5")
        assert value(RuleKind.ADOPTION, "office:信息专报", day)[1] == D("30")
        assert value(RuleKind.ADOPTION, "city", day)[1] == D("20")
        # The values.
        assert value(RuleKind.DEDUCTION, "missed_commission", day)[1] == D("-10")
        assert value(RuleKind.DEDUCTION, "missed_feedback", day)[1] == D("-10")
        assert value(RuleKind.MULTIPLIER, "research", day)[1] == D("2")
        assert value(RuleKind.MULTIPLIER, "forwarded", day)[1] == D("2")

    def test_it_has_a_value_for_every_kind_and_key_of_the_scheme(self) -> None:
        ruleset = ruleset_on(dt.date(2026, 1, 1))
        keys = {
            RuleKind.ADOPTION: ["office:default", "city", "province", "central"],
            RuleKind.INSTRUCTION: ["office", "city", "province", "central"],
            RuleKind.MULTIPLIER: ["research", "forwarded"],
            RuleKind.QUOTA: ["met", "shortfall"],
            RuleKind.DEDUCTION: [
                "late",
                "missed",
                "concealed",
                "missed_commission",
                "missed_feedback",
            ],
        }
        for kind, names in keys.items():
            for key in names:
                rule, points = value_in(ruleset, kind, key)
                assert rule is not None, (kind, key)
                assert rule.key == key
                assert points == rule.points
        for key in ["late", "missed", "concealed", "missed_commission", "missed_feedback"]:
            assert value_in(ruleset, RuleKind.DEDUCTION, key)[1] < 0, key


class LookupTest(ScoringCase):
    def test_it_falls_back_to_office_default_for_a_periodical_without_a_value(self) -> None:
        rule, points = value(RuleKind.ADOPTION, "office:澜江动态", dt.date(2026, 5, 1))
        assert rule is not None
        assert rule.key == "office:default"
        assert points == D("5")

    def test_it_falls_back_from_a_publication_to_its_level(self) -> None:
        rule, points = value(RuleKind.ADOPTION, "province:浙江信息", dt.date(2026, 5, 1))
        assert rule is not None
        assert rule.key == "province"
        assert points == D("50")

    def test_it_finds_nothing_before_the_first_rule_set(self) -> None:
        assert ruleset_on(dt.date(1999, 12, 31)) is None
        assert value(RuleKind.ADOPTION, "city", dt.date(1999, 12, 31)) == (None, D("0"))
        # A missing multiplier multiplies by one: it takes nothing away.
        assert value(RuleKind.MULTIPLIER, "research", dt.date(1999, 12, 31)) == (None, D("1"))

    def test_it_uses_the_rule_set_in_force_on_the_day(self) -> None:
        self.new_ruleset(dt.date(2026, 7, 1), **{"adoption__office:default": "8"})
        assert value(RuleKind.ADOPTION, "office:default", dt.date(2026, 6, 30))[1] == D("5")
        assert value(RuleKind.ADOPTION, "office:default", dt.date(2026, 7, 1))[1] == D("8")
        first = ruleset_on(dt.date(2026, 6, 30))
        second = ruleset_on(dt.date(2026, 12, 31))
        assert first is not None and second is not None
        assert first.effective_from == dt.date(2000, 1, 1)
        assert second.effective_from == dt.date(2026, 7, 1)
