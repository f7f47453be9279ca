"""The item list and the desk's lists page by position: every item once, in order, via Next."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from xinbao.items.models import Item, ItemStatus
from xinbao.test import BaseTestCase, next_link

MOMENT = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
KEYS = ("-submitted_at", "-id")


class ListPagesTest(BaseTestCase):
    joint: Item

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for n in range(27):
            cls.make_item(
                cls.alice, title=f"东城{n:02d}", submitted_at=MOMENT + dt.timedelta(hours=n)
            )
        for n in range(3):
            cls.make_item(
                cls.bob, title=f"西山{n:02d}", submitted_at=MOMENT + dt.timedelta(hours=n)
            )
        # Bob's item crediting county A as a joint unit: on Alice's list among her unit's own.
        cls.joint = cls.make_item(
            cls.bob, title="西山联合", submitted_at=MOMENT + dt.timedelta(hours=5, minutes=30)
        )
        cls.joint.joint_units.add(cls.county_a)

    def walk(self, url: str) -> list[str]:
        """The titles of every page from ``url`` on, following the Next link each page shows."""
        titles: list[str] = []
        pages = 0
        following: str | None = url
        while following:
            body = self.client.get(following).content.decode()
            titles += re.findall(r'<(?:span|a) class="fw-semibold"[^>]*>([^<]+)</', body)
            following = next_link(body, following)
            pages += 1
        assert pages == 2, pages
        return titles

    def test_it_walks_a_reporters_list_with_the_joint_item_in_its_place(self) -> None:
        self.client.force_login(self.alice)
        titles = self.walk(reverse("items:list"))
        expected = [
            i.title
            for i in Item.objects.filter(pk__in=[*self.alice_items(), self.joint.pk]).order_by(
                "-submitted_at", "-id"
            )
        ]
        assert titles == expected and len(titles) == 28
        assert "西山00" not in titles

    def alice_items(self) -> list[int]:
        return list(Item.objects.filter(unit=self.county_a).values_list("pk", flat=True))

    def test_it_walks_the_office_list_and_keeps_the_filter(self) -> None:
        self.client.force_login(self.ed)
        titles = self.walk(reverse("items:list") + f"?status={ItemStatus.SUBMITTED}")
        submitted = Item.objects.filter(status=ItemStatus.SUBMITTED).order_by(
            "-submitted_at", "-id"
        )
        assert titles == [i.title for i in submitted] and len(titles) == 31

    def test_it_pages_the_desk_queue_with_a_badge_that_counts(self) -> None:
        self.client.force_login(self.ed)
        body = self.client.get(reverse("desk:queue")).content.decode()
        assert '<span class="badge text-bg-danger" id="queue-count">31</span>' in body
        # Every waiting item once, in the queue's order: all equally urgent, the longest
        # waiting first.
        titles = self.walk(reverse("desk:queue"))
        waiting = Item.objects.filter(status=ItemStatus.SUBMITTED)
        assert waiting.values("urgency").distinct().count() == 1
        assert titles == [i.title for i in waiting.order_by("submitted_at", "id")]
        assert len(titles) == 31
