"""Office midnight: a local day (Asia/Shanghai) starts at 16:00 UTC the day before."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import TestCase
from django.urls import reverse

from xinbao.lib.days import office_midnight
from xinbao.notify.models import Channel, Message
from xinbao.test import Personas


class OfficeMidnightTests(Personas, TestCase):
    def test_it_starts_the_office_day_at_sixteen_hundred_utc_the_day_before(self) -> None:
        start = office_midnight(dt.date(2026, 7, 1))
        assert start == dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC)
        assert start.utcoffset() == dt.timedelta(hours=8)
        assert (start.hour, start.minute, start.date()) == (0, 0, dt.date(2026, 7, 1))

    def test_it_cuts_a_days_filter_at_office_midnight_not_utc_midnight(self) -> None:
        self.create_personas()
        # 23:30 on 1 July in Beijing is still 1 July there, though 15:30 UTC; 00:30 on 2 July
        # in Beijing is 16:30 UTC on 1 July: it belongs to the 2nd.
        for name, at in (
            ("一日深夜", dt.datetime(2026, 7, 1, 15, 30, tzinfo=dt.UTC)),
            ("二日凌晨", dt.datetime(2026, 7, 1, 16, 30, tzinfo=dt.UTC)),
        ):
            with time_machine.travel(at, tick=False):
                Message.objects.create(
                    channel=Channel.SMS,
                    event="test",
                    recipient_name=name,
                    address="13800000001",
                    subject=name,
                    body=name,
                    dedupe_key=name,
                    next_attempt_at=at,
                )
        self.client.force_login(self.sysadmin)
        page = self.client.get(
            reverse("notify:deliveries"), {"date_from": "2026-07-01", "date_to": "2026-07-01"}
        )
        assert page.status_code == 200
        body = page.content.decode()
        assert "一日深夜" in body
        assert "二日凌晨" not in body
