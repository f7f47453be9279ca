"""The item's own page: a reporter links a new item to their unit's open commission from there,
and the page then names the commission it answers, for the unit and for the office."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from xinbao.research.models import AssignmentState, CommissionForm, CommissionSource
from xinbao.research.services import create_commission
from xinbao.test import BaseTestCase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 5, 6, 10, 0, tzinfo=SHANGHAI)


class ItemPanelTest(BaseTestCase):
    def test_it_links_a_new_item_from_its_page(self) -> None:
        with time_machine.travel(START, tick=False):
            commission = create_commission(
                subject="基层社会治理创新做法",
                requirements="情况、分析、对策",
                source=CommissionSource.GRASSROOTS_HOT,
                form=CommissionForm.COMMISSIONED,
                units=[self.county_a, self.county_b],
                due_on=dt.date(2026, 5, 15),
                user=self.ed,
            )
            item = self.make_item(self.alice, title="东城县网格化治理的做法与成效")
            self.client.force_login(self.alice)
            page = self.client.get(reverse("items:detail", args=[item.pk])).content.decode()
            assert "约稿〔2026〕1号 基层社会治理创新做法" in page
            assert "Link as our answer" in page
            done = self.client.post(
                reverse("research:answer", args=[commission.pk]), {"item": item.pk}, follow=True
            )
            assert "The item is linked as your unit&#x27;s answer." in done.content.decode()
            assignment = commission.assignments.get(unit=self.county_a)
            assert assignment.state == AssignmentState.ANSWERED
            page = self.client.get(reverse("items:detail", args=[item.pk])).content.decode()
            assert "Link as our answer" not in page

            self.client.force_login(self.chief)
            page = self.client.get(reverse("items:detail", args=[item.pk])).content.decode()
            assert "约稿〔2026〕1号 基层社会治理创新做法" in page
            assert "Link as our answer" not in page
