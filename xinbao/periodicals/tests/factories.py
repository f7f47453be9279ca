"""Test data for periodicals: a periodical with readers, and items adopted into it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.items.models import Item, ItemStatus, Urgency
from xinbao.periodicals import services
from xinbao.periodicals.models import Frequency, Issue, Periodical
from xinbao.test import BaseTestCase

DISTRIBUTION = "\n".join(
    ["报：省委办公厅", "送：市委常委，市人大常委会、市政府、市政协领导", "各县（市、区）委办公室。"]
)


def make_periodical(name: str = "每日要情", **extra: Any) -> Periodical:
    return Periodical.objects.create(
        name=name,
        frequency=extra.pop("frequency", Frequency.DAILY),
        issuing_office=extra.pop("issuing_office", "中共澜江市委办公室"),
        distribution=extra.pop("distribution", DISTRIBUTION),
        copies=extra.pop("copies", 60),
        **extra,
    )


class PeriodicalCase(BaseTestCase):
    """The personas, a periodical read by both leaders, and helpers to fill issues."""

    periodical: Periodical

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.periodical = make_periodical()
        cls.periodical.readers.add(cls.leader, cls.principal)

    def adopted(
        self,
        title: str = "东城县召开防汛工作会议",
        *,
        urgency: str = Urgency.ROUTINE,
        periodical: Periodical | None = None,
        user: User | None = None,
        **extra: Any,
    ) -> Item:
        """An item adopted into ``periodical`` (rows made directly, as the desk would)."""
        item = self.make_item(
            user or self.alice, status=ItemStatus.ADOPTED, title=title, urgency=urgency, **extra
        )
        Adoption.objects.create(
            item=item,
            level=AdoptionLevel.OFFICE,
            periodical=periodical or self.periodical,
            adopted_on=timezone.localdate(),
            by=self.ed,
        )
        return item

    def compiled(self, *items: Item, periodical: Periodical | None = None) -> Issue:
        """An issue holding ``items`` (a routine adopted item when none are given)."""
        issue = services.create_issue(user=self.ed, periodical=periodical or self.periodical)
        services.add_items(user=self.ed, issue=issue, items=items or [self.adopted()])
        return issue

    def awaiting(self, *items: Item) -> Issue:
        """An issue checked by the section chief and waiting for its signer."""
        issue = services.submit(user=self.ed, issue=self.compiled(*items))
        return services.check(user=self.chief, issue=issue)
