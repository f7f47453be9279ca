"""The desk's page tests share this: the personas, a daily and a special periodical, and one
submitted item of county A."""

from __future__ import annotations

import datetime as dt

from xinbao.desk.tests.test_decisions import make_periodicals
from xinbao.items.models import Item
from xinbao.periodicals.models import Periodical
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 7, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


class DeskPageCase(BaseTestCase):
    item: Item
    daily: Periodical
    special: Periodical

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.daily, cls.special = make_periodicals()
        cls.item = cls.make_item(cls.alice, title="东城县防汛会议", submitted_at=T0)
