"""The analysis pages cost a frozen number of queries, however many items, targets and
proposals there are."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.analysis import services
from xinbao.analysis.models import MixTarget, Uptake
from xinbao.desk import services as desk
from xinbao.items.models import ItemKind
from xinbao.periodicals.models import Frequency, Periodical
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3), one
#: query of the menu's own; then what the table says. Raise a number only with a reason.
FROZEN = (
    Frozen("analysis:matrix", "ed", 10, "the unit classes, the cells, the unplaced, the trend"),
    Frozen("analysis:cell", "ed", 8, "the paginator's count, the page's items with placements"),
    Frozen("analysis:mix", "leader", 8, "the months' counts by kind, the targets"),
    Frozen(
        "analysis:proposals",
        "ed",
        9,
        "the units of the filter, a page of the period's proposals, the period's uptake counts",
    ),
    Frozen("analysis:targets", "chief", 7, "the targets with who set them"),
)


class AnalysisQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: a unit's placed item, an office item, an adopted proposal followed up and a
        mix target."""
        periodical = Periodical.objects.get_or_create(
            name="每日要情", frequency=Frequency.DAILY, issuing_office="中共某市委办公室"
        )[0]
        now = timezone.now()
        start = MixTarget.objects.count()
        for i in range(start, start + n):
            item = self.make_item(self.alice, title=f"东城县经济运行{i}", submitted_at=now)
            services.place_item(item_id=item.pk)
            self.make_item(self.ed, unit=self.county_a, kind=ItemKind.ANALYSIS, submitted_at=now)
            proposal = self.make_item(
                self.bob, title=f"建议{i}", kind=ItemKind.PROPOSAL, submitted_at=now
            )
            desk.adopt(user=self.ed, item=proposal, periodicals=[periodical])
            services.record_uptake(user=self.ed, item=proposal, uptake=Uptake.PARTLY, note="部分")
            services.set_target(
                user=self.chief,
                kind=ItemKind.ANALYSIS,
                share=20,
                valid_from=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            )
