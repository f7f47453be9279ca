"""The office's own mix: the section chief sets targets on a screen reached through the menu
(a wrong share is kept and explained); the mix page counts what the office writes itself (a
merge at the desk, an item its staff create), never a unit's own items, against the target of
the month."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from xinbao.analysis.models import MixTarget
from xinbao.audit.models import AuditEvent
from xinbao.desk import services as desk
from xinbao.items.models import ItemKind
from xinbao.test import BaseTestCase, menu_link

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)


class MixTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))

    def test_it_sets_a_target_through_the_menu_and_keeps_a_wrong_share(self) -> None:
        self.client.force_login(self.chief)
        url = menu_link(self.client.get("/").content.decode(), "Mix targets")
        wrong = self.client.post(
            url, {"kind": ItemKind.ANALYSIS, "share": "150", "valid_from": "2026-06-01"}
        )
        assert wrong.status_code == 400
        self.assertContains(wrong, "A share is a percentage from 0 to 100.", status_code=400)
        self.assertContains(wrong, 'value="150"', status_code=400)
        assert not MixTarget.objects.exists()

        done = self.client.post(
            url,
            {"kind": ItemKind.ANALYSIS, "share": "30", "valid_from": "2026-06-01"},
            follow=True,
        )
        self.assertContains(done, "Target saved.")
        target = MixTarget.objects.get()
        assert (target.kind, target.share, target.set_by) == (ItemKind.ANALYSIS, 30, self.chief)
        assert AuditEvent.objects.filter(action="analysis.target.set").count() == 1

        # Editors read the mix but set no target.
        self.client.force_login(self.ed)
        assert "Mix targets" not in self.client.get("/").content.decode()
        assert self.client.get(url).status_code == 403

    def test_it_counts_the_offices_own_items_against_the_target_of_the_month(self) -> None:
        MixTarget.objects.create(
            kind=ItemKind.ANALYSIS,
            share=30,
            valid_from=dt.date(2026, 6, 1),
            set_by=self.chief,
            set_at=timezone.now(),
        )
        now = timezone.now()
        first = self.make_item(self.alice, title="东城县防汛情况", submitted_at=now)
        second = self.make_item(self.bob, title="西山县防汛情况", submitted_at=now)
        desk.merge(user=self.ed, items=[first, second], title="全市防汛工作综述", body="综述正文。")
        self.make_item(
            self.ed,
            unit=self.county_a,
            title="当前防汛形势分析",
            kind=ItemKind.ANALYSIS,
            submitted_at=now,
        )
        self.make_item(self.alice, title="东城县应急演练", submitted_at=now)  # a unit's own

        self.client.force_login(self.leader)
        url = menu_link(self.client.get("/").content.decode(), "Office's own mix")
        page = self.client.get(url)
        month, total, cells = page.context["months"][0]
        assert (month, total) == (dt.date(2026, 7, 1), 2)
        kinds = [kind for kind, _label in page.context["kinds"]]
        by_kind = dict(zip(kinds, cells, strict=True))
        assert by_kind[ItemKind.COMPREHENSIVE] == (1, 50.0, None, False)
        assert by_kind[ItemKind.ANALYSIS] == (1, 50.0, 30, False)
        assert by_kind[ItemKind.DYNAMIC] == (0, 0.0, None, False)
        self.assertContains(page, "1 · 50.0%")

    def test_it_shows_the_months_of_the_period_asked_for(self) -> None:
        self.make_item(
            self.ed,
            unit=self.county_a,
            title="一季度经济形势分析",
            kind=ItemKind.ANALYSIS,
            submitted_at=dt.datetime(2026, 2, 10, 2, tzinfo=dt.UTC),
        )
        self.client.force_login(self.leader)
        url = menu_link(self.client.get("/").content.decode(), "Office's own mix")
        year = self.client.get(url)
        assert len(year.context["months"]) == 12  # a year by default
        self.assertContains(year, 'name="start"')
        self.assertContains(year, 'value="2025-08-01"')

        page = self.client.get(url, {"start": "2026-01-01", "end": "2026-03-31"})
        months = [(month, total) for month, total, _cells in page.context["months"]]
        assert months == [
            (dt.date(2026, 3, 1), 0),
            (dt.date(2026, 2, 1), 1),
            (dt.date(2026, 1, 1), 0),
        ]
        self.assertContains(page, 'value="2026-01-01"')

        wrong = self.client.get(url, {"start": "2026-05-01", "end": "2026-03-31"})
        self.assertContains(wrong, "The end of the period comes before its start.")
        self.assertContains(wrong, 'value="2026-05-01"')

    def test_it_refuses_the_mix_to_reporters(self) -> None:
        self.client.force_login(self.alice)
        assert self.client.get("/analysis/mix/").status_code == 403
        assert self.client.get("/analysis/targets/").status_code == 403
