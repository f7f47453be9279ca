"""Query plans of the list pages are frozen: no page reads a big table without an index.

Each page is opened by each role that sees it, its queries captured and explained
(``xinbao.lib.plans``): a full scan or an index-less sort of the items, audit events,
notifications or decisions fails here on a few rows, long before it costs seconds at 10^6 items.
Frozen on SQLite (``plans.FROZEN_ON_SQLITE_ONLY`` says why not on PostgreSQL); the checker
itself is tested on both.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from xinbao.audit.services import record
from xinbao.desk.models import Decision, DecisionKind
from xinbao.items.models import Item, ItemStatus, Urgency
from xinbao.lib import plans
from xinbao.lib.pagination import Cursor
from xinbao.test import BaseTestCase

#: A later page of the items API's list: after a submission time and an id.
API_CURSOR = Cursor("n", (dt.datetime(2026, 7, 1, tzinfo=dt.UTC), 10**6)).encode()

#: (URL name, query string, personas who open it).
PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("home", "", ("alice", "ed", "chief", "leader", "principal", "duty", "sysadmin", "auditor")),
    ("items:list", "", ("alice", "ed", "leader")),
    ("items:list", "status=submitted", ("alice", "ed")),
    ("items:list", "urgency=urgent", ("ed",)),
    ("items:search", "q=防汛", ("alice", "ed")),
    ("desk:inbox", "", ("ed", "chief")),
    ("desk:inbox", "state=submitted", ("ed",)),
    ("desk:inbox", "q=防汛", ("ed",)),
    ("desk:queue", "", ("ed", "chief")),
    ("audit:list", "", ("auditor",)),
    ("notify:centre", "", ("alice", "ed")),
    # The items API's list (a keyset walk like the web list's), first page and a filter.
    ("api:list_items", "", ("alice", "ed")),
    ("api:list_items", "status=submitted&urgency=routine", ("alice", "ed")),
    ("api:list_items", f"limit=5&cursor={API_CURSOR}", ("alice", "ed")),
)

#: Sorts that stay small whatever the size of the office's archive, each with why. Each is a sort
#: of a working set an index has already picked out, never of the table.
ALLOWED_SORTS = (
    # The desk's queue and the home page's "to receive": the items not yet received or decided,
    # most urgent first; the desk keeps that set to days of work.
    'ORDER BY CASE WHEN "items_item"."urgency"',
    # One writer's own drafts and withdrawn items on the home page.
    "\"items_item\".\"status\" IN ('draft', 'withdrawn')",
)


class QueryPlanTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        statuses = [ItemStatus.DRAFT, ItemStatus.SUBMITTED, ItemStatus.RECEIVED]
        for n in range(6):
            for user in (cls.alice, cls.bob, cls.carol):
                item = cls.make_item(
                    user, status=statuses[n % 3], urgency=list(Urgency)[n % 4], title=f"防汛{n}"
                )
                if n % 2:
                    Decision.objects.create(item=item, kind=DecisionKind.RETURN, by=cls.ed)
        for user in (cls.alice, cls.ed, cls.auditor):
            record(actor=user, action="test.plans", obj=None, summary={})

    def test_it_reads_the_big_tables_through_indexes_on_every_list_page(self) -> None:
        if connection.vendor != "sqlite":
            pytest.skip(plans.FROZEN_ON_SQLITE_ONLY)
        failures = []
        for name, query, personas in PAGES:
            url = reverse(name) + (f"?{query}" if query else "")
            for persona in personas:
                self.client.force_login(getattr(self, persona))
                try:
                    with plans.checked(allow=ALLOWED_SORTS):
                        response = self.client.get(url)
                    assert response.status_code in (200, 403), (url, response.status_code)
                except AssertionError as exc:
                    failures.append(f"{url} as {persona}: {exc}")
        assert not failures, "\n\n".join(failures)

    def test_it_names_a_full_scan_and_a_sort_without_an_index(self) -> None:
        scan = plans.explain("SELECT id FROM items_item WHERE body LIKE '%防汛%'")
        assert scan is not None and "full scan of items_item" in scan.problems
        ordered = plans.explain("SELECT id FROM items_item ORDER BY title LIMIT 5")
        assert ordered is not None
        assert any(p.startswith("sort without an index") for p in ordered.problems), ordered
        paged = plans.explain(
            "SELECT id FROM items_item ORDER BY submitted_at DESC, id DESC LIMIT 26"
        )
        assert paged is not None and not paged.problems, paged
        with self.assertRaisesMessage(AssertionError, "read a big table without an index"):
            with plans.checked():
                list(Item.objects.filter(body__contains="防汛").values_list("id", flat=True))
