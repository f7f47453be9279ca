"""Every intake path marks the channel an item came in by."""

from __future__ import annotations

import json

from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.accounts.services import create_token
from xinbao.items.models import Channel, Item
from xinbao.test import BaseTestCase


def form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "青石镇山洪致道路中断",
        "body": "7月8日凌晨，青石镇突发山洪，县道一处中断。",
        "kind": "dynamic",
        "urgency": "important",
        "writer_name": "赵小红",
        "writer_phone": "13800000001",
        "action": "save",
    }
    data.update(extra)
    return data


class ChannelTest(BaseTestCase):
    def written_by(self, user: User, **extra: object) -> Item:
        self.client.force_login(user)
        response = self.client.post(reverse("items:create"), form(**extra))
        assert response.status_code == 302, response.content.decode()[:2000]
        return Item.objects.get(title="青石镇山洪致道路中断")

    def test_it_marks_a_units_own_web_form_as_web(self) -> None:
        self.client.force_login(self.alice)
        assert 'name="channel"' not in self.client.get(reverse("items:create")).content.decode()
        # A reporter cannot claim another channel.
        item = self.written_by(self.alice, channel=Channel.PHONE)
        assert item.channel == Channel.WEB

    def test_it_marks_what_the_duty_officer_takes_down_as_a_phone_call(self) -> None:
        self.client.force_login(self.duty)
        page = self.client.get(reverse("items:create")).content.decode()
        assert 'name="channel"' in page
        assert '<option value="phone" selected>' in page
        item = self.written_by(self.duty, unit=self.county_a.pk, channel=Channel.PHONE)
        assert item.channel == Channel.PHONE and item.unit == self.county_a

    def test_it_marks_what_an_editor_copies_from_an_email_as_email(self) -> None:
        item = self.written_by(self.ed, unit=self.county_b.pk, channel=Channel.EMAIL)
        assert item.channel == Channel.EMAIL

    def test_it_refuses_a_channel_that_is_not_relayed_and_keeps_the_text(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("items:create"), form(unit=self.county_b.pk, channel=Channel.API)
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Select a valid choice" in page
        assert "青石镇山洪致道路中断" in page
        assert not Item.objects.exists()

    def test_it_marks_the_api_as_api(self) -> None:
        token = create_token(user=self.alice, name="报送客户端")[1]
        response = self.client.post(
            "/api/v1/items",
            data=json.dumps(
                {
                    "title": "青石镇山洪致道路中断",
                    "body": "县道一处中断。",
                    "kind": "dynamic",
                    "writer_name": "赵小红",
                    "writer_phone": "13800000001",
                }
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 201
        assert Item.objects.get(pk=response.json()["id"]).channel == Channel.API
        assert response.json()["channel"] == "api"
