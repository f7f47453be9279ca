"""The desk's same-event panel and the comprehensive item drafted from a group."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.items.models import Item, ItemKind, ItemStatus
from xinbao.items.services import create_item, submit_item
from xinbao.items.tests.test_similarity import FLOOD_A, FLOOD_B, FLOOD_OTHER, data
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 7, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


class GroupPanelTest(BaseTestCase):
    a: Item
    b: Item
    b2: Item

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with time_machine.travel(T0, tick=False):
            cls.a = submit_item(
                user=cls.alice,
                item=create_item(user=cls.alice, data=data("东城县青石镇遭遇强降雨", FLOOD_A)),
            )
        with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
            cls.b = submit_item(
                user=cls.bob,
                item=create_item(user=cls.bob, data=data("青石镇强降雨致3人死亡", FLOOD_B)),
            )
        with time_machine.travel(T0 + dt.timedelta(hours=6), tick=False):
            body = FLOOD_B.replace("1300人", "1500人") + "省级工作组已抵达青石镇。"
            cls.b2 = submit_item(
                user=cls.bob,
                item=create_item(user=cls.bob, data=data("青石镇强降雨续报", body)),
            )
            # Another flood in another county, in the same words: never in the group.
            submit_item(
                user=cls.alice,
                item=create_item(user=cls.alice, data=data("白沙镇遭遇强降雨", FLOOD_OTHER)),
            )

    def test_it_shows_the_group_on_the_item_page(self) -> None:
        self.client.force_login(self.ed)
        page = self.client.get(reverse("desk:item", args=[self.a.pk])).content.decode()
        assert f'hx-get="{reverse("desk:group", args=[self.a.pk])}"' in page
        response = self.client.get(reverse("desk:group", args=[self.a.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = response.content.decode()
        assert "2 units reported this" in html
        assert "西山县</span> · 2 items" in html and "东城县</span> · 1 item" in html
        assert "青石镇强降雨续报" in html and reverse("desk:item", args=[self.b2.pk]) in html
        assert "白沙镇遭遇强降雨" not in html
        assert "First" in html and "2026-07-03 10:00" in html  # Beijing time
        assert "Latest" in html and "2026-07-03 16:00" in html
        assert "Draft a comprehensive item" in html

    def test_it_leaves_out_what_a_unit_withdrew(self) -> None:
        Item.objects.filter(pk=self.b2.pk).update(status=ItemStatus.WITHDRAWN)
        self.client.force_login(self.ed)
        html = self.client.get(reverse("desk:group", args=[self.a.pk])).content.decode()
        assert "2 units reported this" in html and "西山县</span> · 1 item" in html
        assert "青石镇强降雨续报" not in html

    def test_it_says_when_no_other_unit_reported_it(self) -> None:
        other = Item.objects.get(title="白沙镇遭遇强降雨")
        self.client.force_login(self.chief)
        html = self.client.get(reverse("desk:group", args=[other.pk])).content.decode()
        assert "No other unit has reported this event." in html
        assert "Draft a comprehensive item" not in html

    def test_it_refuses_the_panel_to_a_reporter(self) -> None:
        self.client.force_login(self.alice)
        assert self.client.get(reverse("desk:group", args=[self.a.pk])).status_code == 403
        response = self.client.post(reverse("desk:group_draft", args=[self.a.pk]))
        assert response.status_code == 403
        assert not Item.objects.filter(kind=ItemKind.COMPREHENSIVE).exists()

    def test_it_drafts_a_comprehensive_item_crediting_every_unit(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.post(reverse("desk:group_draft", args=[self.b.pk]))
        merged = Item.objects.get(kind=ItemKind.COMPREHENSIVE)
        assert response.status_code == 302
        assert response["Location"] == reverse("desk:item", args=[merged.pk])
        assert merged.unit == self.county_a and set(merged.joint_units.all()) == {self.county_b}
        assert set(merged.merged_from.all()) == {self.a, self.b, self.b2}
        assert set(Item.objects.filter(merged_into=merged).values_list("status", flat=True)) == {
            ItemStatus.MERGED
        }
        assert AuditEvent.objects.filter(
            action="desk.merge.create", object_id=str(merged.pk)
        ).exists()
        # Written in the office's language (the draft goes into its periodicals), though the
        # editor's screen is in English.
        body = merged.body
        assert "东城县、西山县共2个单位报送了此事" in body
        assert "地点：东城县青石镇。" in body
        assert "东城县：死亡3人，失踪2人，转移1200人。" in body
        assert "西山县：死亡3人，失踪2人，转移1500人。" in body
        assert merged.title.endswith("（2个单位报送情况综合）")
        # One representative sentence per unit, the one most like the other unit's report.
        assert body.count("东城县：") == 2 and body.count("西山县：") == 2
        sentences = [line for line in body.split("各单位报告要点：")[1].split("\n") if line]
        assert len({line.split("：", 1)[1] for line in sentences}) == 2  # not the same one twice
        page = self.client.get(response["Location"]).content.decode()
        assert merged.title in page and "青石镇强降雨续报" in page  # "merged from"

    def test_it_refuses_a_draft_when_the_group_is_no_longer_open(self) -> None:
        Item.objects.filter(pk__in=[self.b.pk, self.b2.pk]).update(status=ItemStatus.ADOPTED)
        self.client.force_login(self.ed)
        response = self.client.post(reverse("desk:group_draft", args=[self.a.pk]), follow=True)
        assert "fewer than two items that may still be merged" in response.content.decode()
        assert not Item.objects.filter(kind=ItemKind.COMPREHENSIVE).exists()
