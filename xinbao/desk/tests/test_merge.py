"""Merging chosen inbox items into a comprehensive item."""

from __future__ import annotations

from django.urls import reverse

from xinbao.desk.tests.cases import DeskPageCase
from xinbao.items.models import Item, ItemKind, ItemStatus


class MergeTest(DeskPageCase):
    def test_it_merges_from_chosen_inbox_items(self) -> None:
        b = self.make_item(self.bob, title="西山县防汛", body="西山县转移群众120人。")
        b2 = self.make_item(self.bob, title="西山县再报防汛", body="西山县加固堤坝。")
        self.client.force_login(self.ed)
        inbox = self.client.get(reverse("desk:inbox")).content.decode()
        assert 'form="merge-form"' in inbox
        ids = [self.item.pk, b.pk, b2.pk]
        form = self.client.get(reverse("desk:merge"), {"items": ids})
        assert form.status_code == 200
        html = form.content.decode()
        assert "东城县防汛会议" in html and "西山县转移群众120人。" in html  # prefilled
        counts = {row.unit: row.count for row in form.context["unit_counts"]}
        assert counts == {self.county_b: 2, self.county_a: 1}
        response = self.client.post(
            reverse("desk:merge"),
            {
                "items": ids,
                "title": "全市防汛情况",
                "body": "各县认真部署防汛工作。",
                "periodicals": [self.daily.pk],
                "comment": "",
            },
        )
        assert response.status_code == 302
        merged = Item.objects.get(title="全市防汛情况")
        assert response["Location"] == reverse("desk:item", args=[merged.pk])
        assert set(merged.joint_units.all()) == {self.county_b}
        assert set(merged.merged_from.all()) == {self.item, b, b2}
        page = self.client.get(response["Location"]).content.decode()
        assert "西山县再报防汛" in page  # "merged from" list

    def test_it_sends_back_to_the_inbox_with_fewer_than_two_items(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.get(reverse("desk:merge"), {"items": [self.item.pk]})
        assert response.status_code == 302
        assert response["Location"] == reverse("desk:inbox")

    def test_it_never_merges_items_the_editor_cannot_see(self) -> None:
        draft = self.make_item(self.bob, status=ItemStatus.DRAFT)
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("desk:merge"),
            {"items": [self.item.pk, draft.pk], "title": "综述", "body": "正文。"},
        )
        assert response.status_code == 302
        assert not Item.objects.filter(kind=ItemKind.COMPREHENSIVE).exists()
