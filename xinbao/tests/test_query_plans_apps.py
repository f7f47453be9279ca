"""Query plans of the other apps' lists, queues, dashboards and exports are frozen.

The companion of ``test_query_plans.py`` (items, desk, audit, notifications) for scoring,
periodicals, incidents, monitor, signals, liaison, inbound, research, agenda, interests, packs,
topic lists and analysis: each page is opened by the roles that use it, its queries captured
and explained (``xinbao.lib.plans``), and a full scan or an index-less sort of a big table
fails here on a few rows, long before it costs seconds at 10^6 items. Besides the items, audit
events, notifications and decisions, these pages read the desk's adoptions, the issues and
their entries and the scoring ledger, which grow with the items. Frozen on SQLite
(``plans.FROZEN_ON_SQLITE_ONLY`` says why not on PostgreSQL).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from xinbao.items.models import ItemKind, ItemStatus
from xinbao.lib import plans
from xinbao.periodicals.models import Issue, IssueState
from xinbao.periodicals.tests.factories import PeriodicalCase
from xinbao.scoring.models import Cause, ScoreEntry

#: The tables these pages must reach through an index.
TABLES = (
    *plans.BIG_TABLES,
    "desk_adoption",
    "periodicals_issue",
    "periodicals_issueitem",
    "scoring_scoreentry",
)

#: Queries that may sort: each reads only the issues waiting at one step of the sign-off
#: (section check, a signer's queue, the countersignature), a handful whatever the office's age.
ALLOWED = (
    'COUNT("periodicals_issueitem"."id") AS "item_count"',
    '"periodicals_issue"."countersigned_at" IS NULL',
    # The dashboard's adoptions per unit: the period's range of ``adoption_period_stats``, each
    # item's unit read by key; PostgreSQL sorts that range (not the table) for COUNT(DISTINCT).
    'AS "item_unit", COUNT(DISTINCT "desk_adoption"."item_id")',
)

#: (URL name, its arguments, query string, personas who open it).
PAGES: tuple[tuple[str, tuple[int, ...], str, tuple[str, ...]], ...] = (
    ("scoring:dashboard", (), "", ("ed", "chief", "leader")),
    ("scoring:dashboard", (), "period=year", ("chief",)),
    ("scoring:dashboard", (), "class", ("chief",)),
    ("scoring:export", (), "", ("chief",)),
    ("scoring:ledger", (), "", ("chief",)),
    ("periodicals:list", (), "", ("ed", "chief")),
    # A periodical's page (its pk put in below): the adopted items waiting for an issue.
    ("periodicals:periodical", (0,), "", ("ed", "duty")),
    ("periodicals:sign_queue", (), "", ("leader", "principal")),
    ("periodicals:reading", (), "", ("leader", "principal")),
    ("periodicals:instructions", (), "", ("ed", "leader")),
    ("incidents:list", (), "", ("duty", "ed")),
    ("incidents:request_list", (), "", ("duty", "alice")),
    ("incidents:record_list", (), "", ("ed",)),
    ("incidents:notice_list", (), "", ("ed",)),
    ("monitor:posts", (), "", ("ed",)),
    ("signals:list", (), "", ("ed",)),
    ("liaison:inbox", (), "", ("ed",)),
    ("inbound:list", (), "", ("ed", "duty")),
    ("research:plan", (), "", ("ed",)),
    ("research:mine", (), "", ("alice",)),
    ("agenda:list", (), "", ("ed", "leader")),
    ("interests:mine", (), "", ("leader", "principal")),
    ("interests:marks", (), "", ("chief",)),
    ("interests:requests", (), "", ("leader", "ed")),
    ("packs:list", (), "", ("ed",)),
    ("packs:mine", (), "", ("leader",)),
    ("topiclists:index", (), "", ("ed", "alice")),
    ("analysis:matrix", (), "", ("ed", "leader")),
    ("analysis:mix", (), "", ("chief",)),
    ("analysis:proposals", (), "", ("ed",)),
)


class AppsQueryPlanTest(PeriodicalCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        kinds = list(ItemKind)
        statuses = [ItemStatus.SUBMITTED, ItemStatus.RECEIVED, ItemStatus.DRAFT]
        now = timezone.now()
        for n in range(6):
            for user in (cls.alice, cls.bob, cls.carol):
                status = statuses[n % 3]
                sent = None if status == ItemStatus.DRAFT else now
                cls.make_item(user, status=status, kind=kinds[n % len(kinds)], submitted_at=sent)
        today = timezone.localdate()
        for n, unit in enumerate((cls.county_a, cls.county_b, cls.point)):
            ScoreEntry.objects.create(
                unit=unit,
                on=today,
                points=Decimal(n + 1),
                cause=Cause.ADOPTION,
                cause_id=n + 1,
                explanation=f"采用{n}",
            )

    def setUp(self) -> None:
        super().setUp()
        # A distributed issue for the reading room, one waiting for its signer.
        read = self.compiled(self.adopted("澜城区防汛会议"), self.adopted("江湾区招商引资"))
        Issue.objects.filter(pk=read.pk).update(
            state=IssueState.DISTRIBUTED, distributed_at=timezone.now(), content_hash="0" * 64
        )
        self.awaiting(self.adopted("临溪区春耕"))

    def test_it_reads_the_big_tables_through_indexes_on_every_page_of_the_apps(self) -> None:
        if connection.vendor != "sqlite":
            pytest.skip(plans.FROZEN_ON_SQLITE_ONLY)
        failures = []
        for name, args, query, personas in PAGES:
            if query == "class":
                query = f"unit_class={self.class_one.pk}"
            if name == "periodicals:periodical":
                args = (self.periodical.pk,)
            url = reverse(name, args=args) + (f"?{query}" if query else "")
            for persona in personas:
                self.client.force_login(getattr(self, persona))
                try:
                    with plans.checked(tables=TABLES, allow=ALLOWED):
                        response = self.client.get(url)
                    assert response.status_code in (200, 403), (url, response.status_code)
                except AssertionError as exc:
                    failures.append(f"{url} as {persona}: {exc}")
        assert not failures, "\n\n".join(failures)

    def test_it_counts_the_period_on_the_dashboard_from_the_statistics_index(self) -> None:
        self.client.force_login(self.chief)
        response = self.client.get(reverse("scoring:dashboard"))
        totals = response.context["totals"]
        # Items submitted or received this period count (4 of each reporter's 6); drafts do not.
        assert (totals.submitted, totals.points) == (12, Decimal(6))
        # The class's units only: the same counts through the per-unit rows.
        response = self.client.get(reverse("scoring:dashboard"), {"unit_class": self.class_one.pk})
        assert sum(n for _label, n, _share in response.context["mix_rows"]) == 12
        assert sum(m.submitted for m in response.context["months"]) == 12
