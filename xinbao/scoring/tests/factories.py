"""Test data for scoring: items adopted, instructions given, records made, straight in the DB."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.desk.models import Adoption, AdoptionLevel, Decision, DecisionKind
from xinbao.incidents.models import AccountabilityRecord, Incident
from xinbao.items.models import Item, ItemStatus
from xinbao.lib.levels import Category, Level
from xinbao.org.models import Unit
from xinbao.periodicals.models import Instruction, Periodical
from xinbao.periodicals.tests.factories import make_periodical
from xinbao.scoring.models import Rule, RuleSet
from xinbao.test import BaseTestCase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def noon(day: dt.date) -> dt.datetime:
    """Midday in Shanghai on ``day``, for moving time."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)


class ScoringCase(BaseTestCase):
    """The personas and the demo periodicals; helpers that create the causes of points."""

    daily: Periodical
    special: Periodical

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.daily = make_periodical("每日要情")
        cls.special = make_periodical("信息专报")

    def item(self, user: User, title: str = "东城县召开防汛工作会议", **extra: Any) -> Item:
        joint: list[Unit] = extra.pop("joint", [])
        item = self.make_item(user, title=title, status=ItemStatus.ADOPTED, **extra)
        item.joint_units.set(joint)
        return item

    def adopt(
        self,
        item: Item,
        day: dt.date,
        *,
        periodical: Periodical | None = None,
        level: str = AdoptionLevel.OFFICE,
        publication: str = "",
    ) -> Adoption:
        if level == AdoptionLevel.OFFICE and periodical is None:
            periodical = self.daily
        return Adoption.objects.create(
            item=item,
            level=level,
            periodical=periodical,
            publication=publication,
            adopted_on=day,
            by=self.ed,
        )

    def forward(self, item: Item) -> Decision:
        return Decision.objects.create(
            item=item, kind=DecisionKind.FORWARD, data={"to": "省委办公厅"}, by=self.ed
        )

    def instruct(
        self, units: list[Unit], day: dt.date, *, leader: User | None = None, **extra: Any
    ) -> Instruction:
        item = extra.pop("item", None) or self.item(self.alice, title="关于防汛的批示件")
        with time_machine.travel(noon(day), tick=False):
            instruction = Instruction.objects.create(
                item=item,
                leader=leader or self.leader,
                text=extra.pop("text", "请应急局牵头抓好落实。"),
                **extra,
            )
        instruction.units.set(units)
        return instruction

    def accountability(self, unit: Unit, kind: str, day: dt.date) -> AccountabilityRecord:
        incident = Incident.objects.create(
            title=f"{unit.name}{kind}事件",
            category=Category.ACCIDENT,
            level=Level.III,
            suggested_level=Level.III,
            summary="测试事件",
            created_by=self.duty,
        )
        return AccountabilityRecord.objects.create(
            unit=unit, incident=incident, kind=kind, reason="书面报告超时。", at=noon(day)
        )

    def submitted(self, user: User, day: dt.date, count: int) -> None:
        """``count`` items submitted by ``user``'s unit on ``day``."""
        for n in range(count):
            self.make_item(user, title=f"{day}第{n + 1}条信息", submitted_at=noon(day))

    @staticmethod
    def new_ruleset(day: dt.date, **points: str) -> RuleSet:
        """A copy of the rule set in force before ``day``, from ``day``, with ``points``
        (``adoption__office:default="8"``) changed."""
        previous = RuleSet.objects.filter(effective_from__lt=day).first()
        assert previous is not None
        ruleset = RuleSet.objects.create(name=f"{day}起施行", effective_from=day)
        changed = {tuple(k.split("__", 1)): v for k, v in points.items()}
        for rule in previous.rules.all():
            Rule.objects.create(
                ruleset=ruleset,
                kind=rule.kind,
                key=rule.key,
                label=rule.label,
                points=changed.get((rule.kind, rule.key), rule.points),
            )
        return ruleset


def today() -> dt.date:
    return timezone.localdate()
