"""Breadth placements: the chore places every sent item (never a draft), with its reasons; an
editor corrects one on the desk's item page, audited, and the chore never changes it back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from xinbao.analysis.chores import PLACE
from xinbao.analysis.models import Horizon, Placement, Region, Sphere
from xinbao.analysis.services import place_missing
from xinbao.audit.models import AuditEvent
from xinbao.items.models import Item, ItemStatus
from xinbao.scheduler.services import run_chore
from xinbao.test import BaseTestCase

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)

TREND = (
    "东城县上半年经济运行总体平稳",
    "上半年，全县地区生产总值同比增长6.2%，规模以上工业增加值增长8.1%，固定资产投资完成45亿元。",
)
EARLY = (
    "部分居民反映菜价上涨较快",
    "近日，西山县部分居民反映，菜市场蔬菜价格上涨明显，群众对此有所担忧。",
)
OUTSIDE = (
    "浙江省杭州市推行数字化改革的做法",
    "杭州市以数字化改革为牵引，推进政务服务一网通办，值得学习借鉴。",
)


class PlacementTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))

    def _item(self, text: tuple[str, str], **extra: Any) -> int:
        user = extra.pop("user", self.alice)
        item = self.make_item(
            user,
            title=text[0],
            body=text[1],
            submitted_at=timezone.now(),
            **extra,
        )
        return item.pk

    def test_it_places_each_sent_item_on_the_three_axes_and_never_a_draft(self) -> None:
        trend = self._item(TREND)
        early = self._item(EARLY, user=self.bob)
        outside = self._item(OUTSIDE)
        draft = self._item(TREND, status=ItemStatus.DRAFT)

        run_chore(PLACE)

        placed = {p.item_id: p for p in Placement.objects.all()}
        assert draft not in placed
        assert (placed[trend].horizon, placed[trend].sphere, placed[trend].region) == (
            Horizon.TREND,
            Sphere.ECONOMY,
            Region.LOCAL,
        )
        assert (placed[early].horizon, placed[early].sphere, placed[early].region) == (
            Horizon.EARLY_SIGN,
            Sphere.DAILY_LIFE,
            Region.LOCAL,
        )
        assert placed[outside].region == Region.OUTSIDE
        assert "杭州市" in placed[outside].reasons["region"]
        assert "同比" in placed[trend].reasons["horizon"]
        assert AuditEvent.objects.filter(action="analysis.placement.suggest").count() == 3

        # The office reads the placement and why on the item's page.
        self.client.force_login(self.leader)
        page = self.client.get(f"/items/{early}/")
        self.assertContains(page, "Early sign")
        self.assertContains(page, "菜价")
        self.assertNotContains(page, "Correct the placement")  # leaders read, editors correct

    def test_it_leaves_items_sent_before_its_window_to_place_missing(self) -> None:
        old = self._item(TREND)
        Item.objects.filter(pk=old).update(submitted_at=timezone.now() - dt.timedelta(days=10))
        recent = self._item(EARLY)
        run_chore(PLACE)
        assert list(Placement.objects.values_list("item_id", flat=True)) == [recent]
        assert place_missing() == 1
        assert Placement.objects.get(item_id=old).horizon == Horizon.TREND

    def test_it_keeps_an_editors_correction_when_the_chore_runs_again(self) -> None:
        pk = self._item(TREND)
        run_chore(PLACE)
        self.client.force_login(self.ed)
        page = self.client.get(f"/desk/{pk}/")
        self.assertContains(page, "Correct the placement")
        response = self.client.post(
            f"/analysis/items/{pk}/placement/",
            {
                "horizon": Horizon.EARLY_SIGN,
                "sphere": Sphere.DAILY_LIFE,
                "region": Region.OUTSIDE,
                "next": f"/desk/{pk}/",
            },
            follow=True,
        )
        self.assertContains(response, "Placement corrected.")
        self.assertContains(response, "Corrected by")
        assert response.redirect_chain[-1][0] == f"/desk/{pk}/"

        run_chore(PLACE)
        placement = Placement.objects.get(item_id=pk)
        assert (placement.horizon, placement.sphere, placement.region) == (
            Horizon.EARLY_SIGN,
            Sphere.DAILY_LIFE,
            Region.OUTSIDE,
        )
        assert placement.suggested_horizon == Horizon.TREND  # the suggestion is kept beside it
        assert placement.corrected_by == self.ed
        event = AuditEvent.objects.get(action="analysis.placement.correct")
        assert event.summary["before"]["horizon"] == Horizon.TREND

    def test_it_refuses_the_correction_to_reporters_and_leaders(self) -> None:
        pk = self._item(TREND)
        run_chore(PLACE)
        data = {"horizon": Horizon.EARLY_SIGN, "sphere": Sphere.ECONOMY, "region": Region.LOCAL}
        for persona in (self.alice, self.bob, self.leader):
            self.client.force_login(persona)
            response = self.client.post(f"/analysis/items/{pk}/placement/", data)
            assert response.status_code == 403, persona
        assert Placement.objects.get(item_id=pk).horizon == Horizon.TREND

    def test_it_places_an_item_not_yet_placed_when_an_editor_corrects_it(self) -> None:
        pk = self._item(OUTSIDE)
        self.client.force_login(self.chief)
        response = self.client.post(
            f"/analysis/items/{pk}/placement/",
            {"horizon": Horizon.TREND, "sphere": Sphere.ECONOMY, "region": Region.LOCAL},
        )
        assert response.status_code == 302
        placement = Placement.objects.get(item_id=pk)
        assert (placement.region, placement.suggested_region) == (Region.LOCAL, Region.OUTSIDE)
