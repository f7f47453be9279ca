"""The desk's inbox and its filters (htmx)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from xinbao.desk.tests.cases import T0, DeskPageCase
from xinbao.items.models import ItemKind, ItemStatus, Topic, Urgency


class InboxTest(DeskPageCase):
    def _inbox(self, **params: str) -> str:
        self.client.force_login(self.ed)
        response = self.client.get(reverse("desk:inbox"), params, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = response.content.decode()
        assert "<nav class" not in html  # the partial, not the page
        return html

    def test_it_filters_the_inbox(self) -> None:
        topic = Topic.objects.create(name="安全生产")
        with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
            later = timezone.now()
        b = self.make_item(
            self.bob,
            title="西山县安全生产检查",
            kind=ItemKind.ANALYSIS,
            urgency=Urgency.IMPORTANT,
            status=ItemStatus.RECEIVED,
            submitted_at=later,
        )
        b.topics.add(topic)
        c = self.make_item(self.carol, title="一中开学", submitted_at=T0)
        c.joint_units.add(self.county_b)
        all_three = ("东城县防汛会议", "西山县安全生产检查", "一中开学")
        cases: list[tuple[dict[str, str], set[str]]] = [
            ({}, set(all_three)),
            ({"unit": str(self.county_b.pk)}, {"西山县安全生产检查", "一中开学"}),
            ({"kind": "analysis"}, {"西山县安全生产检查"}),
            ({"urgency": "important"}, {"西山县安全生产检查"}),
            ({"topic": str(topic.pk)}, {"西山县安全生产检查"}),
            ({"state": "received"}, {"西山县安全生产检查"}),
            ({"date_from": "2026-07-05"}, {"西山县安全生产检查"}),
            ({"date_to": "2026-07-04"}, {"东城县防汛会议", "一中开学"}),
            ({"q": "开学"}, {"一中开学"}),
        ]
        for params, expected in cases:
            html = self._inbox(**params)
            shown = {t for t in all_three if t in html}
            assert shown == expected, (params, shown)
