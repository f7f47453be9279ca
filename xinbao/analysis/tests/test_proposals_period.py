"""Proposals followed, a period and pages at a time: the page opens on the last three months,
lists each proposal once at its first adoption, newest first, 25 a page with Next / Previous;
its counts per unit and per month read only the period; a wrong period is kept as typed with
its error."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.utils import timezone

from xinbao.desk import services as desk
from xinbao.items.models import ItemKind
from xinbao.periodicals.models import Frequency, Periodical
from xinbao.test import BaseTestCase, menu_link, next_link

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)
OLD = "关于老旧小区加装电梯的建议"


def listed(html: str) -> list[str]:
    table = html.split('id="proposal-list"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/analysis/proposals/\d+/">([^<]+)</a>', table)


class ProposalPeriodTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        daily = Periodical.objects.create(
            name="每日要情", frequency=Frequency.DAILY, issuing_office="中共某市委办公室"
        )
        weekly = Periodical.objects.create(
            name="信息专报", frequency=Frequency.WEEKLY, issuing_office="中共某市委办公室"
        )
        # Adopted in March (outside the default period), adopted again in June: listed once,
        # at its first adoption, so not in the last three months.
        with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
            old = self.make_item(
                self.bob, title=OLD, kind=ItemKind.PROPOSAL, submitted_at=timezone.now()
            )
            desk.adopt(user=self.ed, item=old, periodicals=[daily])
        with time_machine.travel(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC), tick=False):
            desk.adopt(user=self.ed, item=old, periodicals=[weekly])
        # 27 proposals adopted over nine days of June and July: two pages.
        self.titles: list[str] = []
        for day in range(9):
            moment = dt.datetime(2026, 6, 28, 2, 0, tzinfo=dt.UTC) + dt.timedelta(days=day)
            with time_machine.travel(moment, tick=False):
                batch = [
                    self.make_item(
                        self.alice,
                        title=f"建议{day:02d}-{n}",
                        kind=ItemKind.PROPOSAL,
                        submitted_at=timezone.now(),
                    )
                    for n in range(3)
                ]
                desk.adopt(user=self.ed, items=batch, periodicals=[daily])
            self.titles += [item.title for item in batch]
        self.enterContext(time_machine.travel(NOW, tick=False))

    def test_it_opens_on_the_last_three_months_and_pages_through_them(self) -> None:
        self.client.force_login(self.ed)
        url = menu_link(self.client.get("/").content.decode(), "Proposals followed")
        first = self.client.get(url)
        html = first.content.decode()
        # The default period is shown in the form: from the start of May to today.
        assert 'value="2026-05-01"' in html and 'value="2026-07-10"' in html
        seen = listed(html)
        assert len(seen) == 25 and OLD not in seen
        assert seen[0].startswith("建议08") and seen[-1].startswith("建议00")
        # The counts read the whole period (27 proposals), never March.
        by_unit, by_month = (table for _caption, table in first.context["tables"])
        assert [(row.label, row.total) for row in by_unit] == [(self.county_a.name, 27)]
        assert [(row.label, row.total) for row in by_month] == [("2026-07", 18), ("2026-06", 9)]
        assert next_link(html, rel="prev") is None

        next_url = next_link(html, url)
        assert next_url is not None
        second = self.client.get(next_url)
        rest = listed(second.content.decode())
        assert len(rest) == 2 and not set(rest) & set(seen)
        assert sorted(seen + rest) == sorted(self.titles)
        assert next_link(second.content.decode()) is None
        back_url = next_link(second.content.decode(), next_url, rel="prev")
        assert back_url is not None
        assert listed(self.client.get(back_url).content.decode()) == seen

    def test_it_lists_a_longer_period_and_keeps_a_wrong_one_with_its_error(self) -> None:
        self.client.force_login(self.leader)
        march = self.client.get("/analysis/proposals/?start=2026-03-01&end=2026-03-31")
        assert listed(march.content.decode()) == [OLD]
        self.assertContains(march, "2026-03-02")
        by_month = march.context["tables"][1][1]
        assert [(row.label, row.total) for row in by_month] == [("2026-03", 1)]

        # Pages of a chosen period keep it in their links.
        spring_url = "/analysis/proposals/?start=2026-03-01&end=2026-07-10"
        spring = self.client.get(spring_url)
        next_url = next_link(spring.content.decode(), spring_url)
        assert next_url is not None and "start=2026-03-01" in next_url
        last = listed(self.client.get(next_url).content.decode())
        assert last[-1] == OLD and len(last) == 3

        wrong = self.client.get("/analysis/proposals/?start=2026-07-10&end=2026-07-01")
        self.assertContains(wrong, "The end of the period comes before its start.")
        self.assertContains(wrong, 'value="2026-07-10"')
        self.assertContains(wrong, 'value="2026-07-01"')
        # Meanwhile the default period's proposals are shown.
        assert len(listed(wrong.content.decode())) == 25

        typo = self.client.get("/analysis/proposals/?start=2026-13-01")
        self.assertContains(typo, "Enter a valid date.")
        self.assertContains(typo, 'value="2026-13-01"')
