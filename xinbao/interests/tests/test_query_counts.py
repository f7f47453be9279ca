"""The interests' list pages cost a frozen number of queries, however many rows there are."""

from __future__ import annotations

import datetime as dt

import time_machine

from xinbao.interests import services
from xinbao.items.services import ItemData, create_item
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)

#: Every page: session and user (2), the session's save (3), the menu's reading-room check (1);
#: then what the table says.
FROZEN = (
    Frozen(
        "interests:mine",
        "leader",
        9,
        "the leader's matches with items and units, their marks, the interests",
    ),
    Frozen("interests:requests", "leader", 8, "the leader's requests, their units"),
    Frozen("interests:requests", "ed", 8, "every request with its leader, their units"),
    Frozen(
        "interests:marks",
        "chief",
        8,
        "the period's marks with items, units, issues; the adoptions; the issues' units",
    ),
)


class InterestsQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def setUp(self) -> None:
        super().setUp()
        self.tm = self.enterContext(time_machine.travel(NOW, tick=False))
        services.save_interest(user=self.leader, name="防汛", keywords=["防汛"])
        self.n = 0

    def add_rows(self, n: int) -> None:
        """Per row: an item matching the leader's interest, served and marked; a request."""
        for _ in range(n):
            self.n += 1
            item = create_item(
                user=self.alice,
                data=ItemData(
                    title=f"东城县防汛工作{self.n}",
                    body="部署防汛工作。",
                    kind="dynamic",
                    urgency="routine",
                    writer_name="赵小红",
                    writer_phone="13800000001",
                ),
                submit=True,
            )
            self.tm.shift(dt.timedelta(seconds=10))
            services.serve_new_items()
            services.set_mark(user=self.leader, item=item, useful=self.n % 2 == 0, note="好")
            services.ask(
                user=self.leader,
                subject=f"点题{self.n}",
                wanted="情况",
                wanted_by=dt.date(2026, 8, 1),
                units=[self.county_a, self.county_b],
            )
