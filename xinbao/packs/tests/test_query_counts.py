"""The packs' list pages cost a frozen number of queries, however many packs there are."""

from __future__ import annotations

import datetime as dt

from xinbao.packs import services
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (3), the menu's reading-room check (1);
#: then what the table says.
FROZEN = (
    Frozen("packs:list", "ed", 7, "the packs within the editor's clearance with their makers"),
    Frozen("packs:mine", "leader", 8, "the leader's delivered packs, the ones they opened"),
)


class PacksQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: a pack delivered to the leader in charge, with one text."""
        for i in range(n):
            pack = services.create_pack(
                user=self.ed,
                title=f"参阅{i}",
                occasion="meeting",
                occasion_at=dt.datetime(2026, 7, 4, 1, 0, tzinfo=dt.UTC),
                subject="防汛",
                recipients=[self.leader],
            )
            services.add_text(user=self.ed, pack=pack, title="", text="背景")
            services.deliver(user=self.ed, pack=pack)
