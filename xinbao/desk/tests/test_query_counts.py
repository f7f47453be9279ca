"""The desk's list pages cost a frozen number of queries, however many items they list."""

from __future__ import annotations

from xinbao.desk import services
from xinbao.desk.tests.cases import T0, DeskPageCase
from xinbao.items.models import Urgency
from xinbao.test import Frozen, FrozenQueryCounts

#: Every page: session and user (2), the menu's reading-room check (1), the session's save
#: (savepoint, update, release: 3), then what the table says. Raise a number only with a reason.
FROZEN = (
    Frozen(
        "desk:inbox",
        "ed",
        10,
        "the queue badge (counted to its cap), the unit and topic filters, the page's rows",
    ),
    Frozen(
        "desk:inbox",
        "ed",
        7,
        "the htmx partial: the page's rows (a keyset page), no badge, no filters",
        query="urgency=important",
        htmx=True,
    ),
    Frozen("desk:queue", "ed", 8, "the badge (counted to its cap) and the page's rows"),
    Frozen("desk:queue", "chief", 8, "as for the editor"),
)


class DeskQueryCountTest(FrozenQueryCounts, DeskPageCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Items of two counties in every urgency, every third one locked by the section chief."""
        for i in range(n):
            for user in (self.alice, self.bob):
                item = self.make_item(
                    user, title=f"信息{i}", urgency=list(Urgency)[i % 4], submitted_at=T0
                )
                if i % 3 == 0:
                    services.acquire_lock(user=self.chief, item=item)
