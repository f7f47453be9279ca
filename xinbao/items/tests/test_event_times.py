"""Event times at the edges of the calendar, through the API and the item form."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from xinbao.items.models import Item
from xinbao.items.tests.test_api import URL, ApiTestCase, new_item

RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"


def form(**extra: str) -> dict[str, str]:
    return {
        "title": "东城县遭遇强降雨",
        "body": "6月1日夜间，东城县普降暴雨。",
        "kind": "dynamic",
        "urgency": "routine",
        "writer_name": "赵小红",
        "writer_phone": "13800000001",
        **extra,
    }


class EventTimeTest(ApiTestCase):
    def test_it_answers_times_before_1901_with_a_valid_offset(self) -> None:
        r = self.call("POST", URL, body=new_item(event_at="1900-01-01T12:00:00+08:00"))
        assert r.status_code == 201, r.data
        for data in (r.data, self.call("GET", f"{URL}/{r.data['id']}").data):
            assert re.match(RFC3339, data["event_at"]), data["event_at"]
            assert dt.datetime.fromisoformat(data["event_at"]) == dt.datetime(
                1900, 1, 1, 4, tzinfo=dt.UTC
            )
        assert Item.objects.get().event_at == dt.datetime(1900, 1, 1, 4, tzinfo=dt.UTC)

    def test_it_refuses_an_event_time_outside_the_years_1_to_9999_in_utc(self) -> None:
        for value in ("0001-01-01T02:00:00+08:00", "9999-12-31T23:00:00-08:00"):
            with self.subTest(value):
                r = self.call("POST", URL, body=new_item(event_at=value))
                self.assert_field_error(r, ["body", "payload", "event_at"])
                (error,) = [e for e in r.data["detail"] if e["loc"][-1] == "event_at"]
                assert "between the years 1 and 9999" in error["msg"], error
        assert not Item.objects.exists()

    def test_it_refuses_an_event_time_outside_the_years_1_to_9999_in_the_form(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post(reverse("items:create"), form(event_at="0001-01-01T02:00"))
        page = r.content.decode()
        assert r.status_code == 200
        assert "Enter a time between the years 1 and 9999." in page
        assert 'value="0001-01-01T02:00"' in page
        assert not Item.objects.exists()
        # The first representable time in UTC is accepted.
        r = self.client.post(reverse("items:create"), form(event_at="0001-01-01T08:06"))
        assert r.status_code == 302, r.content.decode()
        assert Item.objects.get().event_at == dt.datetime(1, 1, 1, 0, 0, 17, tzinfo=dt.UTC)
