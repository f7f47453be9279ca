"""Query counts of list pages are frozen: they must not grow with the number of rows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinbao.items.models import Urgency
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the menu's reading-room check (1), the session's save
#: (savepoint, update, release: 3), then what the table says. Raise a number only with a reason.
FROZEN = (
    Frozen(
        "items:list",
        "alice",
        9,
        "the reporter's unit, the page's rows in two parts (the unit's own, those crediting it)",
    ),
    Frozen("items:list", "ed", 8, "the filter's units, the page's rows (a keyset page)"),
    Frozen(
        "home",
        "alice",
        15,
        "the unit's month (the unit with its class, the month's items, the units ranked, "
        "instructions to answer), the unit's demands, the unit again, recent items (the unit's "
        "own and those crediting it: two) and drafts",
    ),
    Frozen(
        "home",
        "ed",
        12,
        "overdue demands, open verifications, issues the duty officer sent overnight, the queue, "
        "early signals still open, priorities flagged without information",
    ),
)


class QueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        for i in range(n):
            for user in (self.alice, self.bob):
                self.make_item(user, title=f"信息{i}", urgency=list(Urgency)[i % 4])

    def test_it_keeps_the_htmx_partial_cheap(self) -> None:
        self.add_rows(10)
        self.client.force_login(self.ed)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(
                reverse("items:list") + "?urgency=important", HTTP_HX_REQUEST="true"
            )
        assert response.status_code == 200
        assert "<nav class" not in response.content.decode()  # the partial, not the page
        assert len(ctx.captured_queries) <= 8
