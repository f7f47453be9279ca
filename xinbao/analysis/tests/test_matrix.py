"""The coverage matrix: from an empty office, an editor reaches it through the menu, sees the
period's items counted in the eight cells and the three two-way views, the thin cells marked,
the monthly trend, and opens a cell to its items; leaders read it; reporters and the duty
officer are refused; an item above a reader's clearance is never counted."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import time_machine
from django.utils import timezone

from xinbao.analysis.chores import PLACE
from xinbao.analysis.models import Horizon, Placement, Region, Sphere
from xinbao.analysis.services import place_missing
from xinbao.lib.labels import Sensitivity
from xinbao.scheduler.services import run_chore
from xinbao.test import BaseTestCase, menu_link

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)

TREND = (
    "东城县上半年经济运行总体平稳",
    "上半年，全县地区生产总值同比增长6.2%，规模以上工业增加值增长8.1%，固定资产投资完成45亿元。",
)
EARLY = (
    "西山县部分居民反映菜价上涨较快",
    "近日，西山县部分居民反映，菜市场蔬菜价格上涨明显，群众对此有所担忧。",
)


class MatrixTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))

    def _sent(self, text: tuple[str, str], days_ago: int = 0, **extra: Any) -> int:
        return self.make_item(
            self.alice,
            title=text[0],
            body=text[1],
            submitted_at=timezone.now() - dt.timedelta(days=days_ago),
            **extra,
        ).pk

    def test_it_counts_the_cells_marks_the_thin_ones_and_opens_a_cell(self) -> None:
        for _ in range(3):
            self._sent(TREND)
        early = self._sent(EARLY, days_ago=20)
        run_chore(PLACE)
        place_missing()  # sent before the chore's window

        self.client.force_login(self.ed)
        url = menu_link(self.client.get("/").content.decode(), "Breadth")
        page = self.client.get(url)
        self.assertContains(page, "4 items placed.")
        # The last three months to today, shown in the period's fields.
        self.assertContains(page, 'value="2026-05-01"')
        self.assertContains(page, 'value="2026-07-10"')
        # Trend × economy × local holds three, early × daily life × local one; the other six
        # are empty, so thin.
        cells = page.context["matrix"].cells
        assert cells[(Horizon.TREND, Sphere.ECONOMY, Region.LOCAL)] == 3
        assert cells[(Horizon.EARLY_SIGN, Sphere.DAILY_LIFE, Region.LOCAL)] == 1
        thin = page.context["matrix"].thin
        assert (Horizon.TREND, Sphere.ECONOMY, Region.LOCAL) not in thin
        assert (Horizon.EARLY_SIGN, Sphere.ECONOMY, Region.OUTSIDE) in thin
        self.assertContains(page, "Thin")
        chart = json.loads(
            re.search(
                r'<script id="breadth-data" type="application/json">(.*?)</script>',
                page.content.decode(),
                re.S,
            ).group(1)  # type: ignore[union-attr]  # the page has the data
        )
        assert chart["months"][-2:] == ["2026-06", "2026-07"]
        assert chart["totals"][-2:] == [1, 3]
        assert chart["early_sign"][-2:] == [100.0, 0.0]

        drill = self.client.get(
            "/analysis/cell/",
            {"horizon": Horizon.EARLY_SIGN, "sphere": Sphere.DAILY_LIFE, "region": Region.LOCAL},
        )
        self.assertContains(drill, EARLY[0])
        self.assertNotContains(drill, TREND[0])
        self.assertContains(drill, f"/desk/{early}/")  # the editor corrects it there

        # A shorter period leaves the older item out.
        later = self.client.get(url, {"start": "2026-07-01", "end": "2026-07-10"})
        self.assertContains(later, "3 items placed.")

    def test_it_lets_the_leaders_read_it_and_refuses_reporters_and_the_duty_officer(self) -> None:
        self._sent(TREND)
        run_chore(PLACE)
        for persona in (self.leader, self.principal, self.chief):
            self.client.force_login(persona)
            url = menu_link(self.client.get("/").content.decode(), "Breadth")
            self.assertContains(self.client.get(url), "1 items placed.")
        for persona in (self.alice, self.duty, self.sysadmin):
            self.client.force_login(persona)
            assert "/analysis/" not in self.client.get("/").content.decode()
            response = self.client.get("/analysis/")
            assert response.status_code == 403
            assert self.client.get("/analysis/cell/").status_code == 403

    def test_it_never_counts_an_item_above_the_readers_clearance(self) -> None:
        self._sent(TREND)
        self._sent(EARLY, sensitivity=Sensitivity.SENSITIVE)
        run_chore(PLACE)
        assert Placement.objects.count() == 2
        self.leader.clearance = Sensitivity.INTERNAL
        self.leader.save(update_fields=["clearance"])
        self.client.force_login(self.leader)
        self.assertContains(self.client.get("/analysis/"), "1 items placed.")
        drill = self.client.get("/analysis/cell/", {"horizon": Horizon.EARLY_SIGN})
        self.assertNotContains(drill, EARLY[0])

    def test_it_keeps_a_wrong_period_and_says_what_is_wrong(self) -> None:
        self.client.force_login(self.ed)
        page = self.client.get("/analysis/", {"start": "2026-07-10", "end": "2026-07-01"})
        self.assertContains(page, "The end of the period comes before its start.")
        self.assertContains(page, 'value="2026-07-10"')
