"""Scoring's list pages cost a frozen number of queries, however many units and entries."""

from __future__ import annotations

from xinbao.org.models import Unit, UnitKind
from xinbao.scoring import services
from xinbao.scoring.tests.factories import ScoringCase, today
from xinbao.test import Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3); for
#: roles that may read a periodical, the menu's reading-room check (1); then what the table says.
#: Raise a number only with a reason.
FROZEN = (
    Frozen(
        "scoring:dashboard",
        "chief",
        18,
        "the units with their classes; per unit, grouped: items, office adoptions, points, "
        "instructions, demands (5); the trend's items and points by month (2); the total "
        "submitted; the class filter; the leaders' marks of the period with their items' "
        "adoptions and issues (the interests' panel, 2)",
    ),
    Frozen("scoring:dashboard", "leader", 18, "as for the section chief"),
    Frozen(
        "scoring:ledger",
        "chief",
        8,
        "the unit filter's units, the period's entries with their units and corrections",
    ),
    Frozen("scoring:reports", "chief", 8, "the latest reports, the latest reminders sent"),
)


class ScoringQueryCountTest(FrozenQueryCounts, ScoringCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: a county with an item adopted today, its points posted to the ledger."""
        start = Unit.objects.count()
        for i in range(start, start + n):
            unit = Unit.objects.create(
                code=f"X{i:02d}", name=f"新增单位{i}", kind=UnitKind.COUNTY,
                unit_class=self.class_one,
            )  # fmt: skip
            item = self.item(self.alice, title=f"信息{i}", unit=unit)
            assert services.post_adoption(adoption=self.adopt(item, today()))
