"""SMS to the office's number, pushed by the gateway's signed callback, becomes items."""

from __future__ import annotations

import json
from typing import Any

from django.test import override_settings
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.inbound.models import InboundMessage, InboundPolicy, InboundState
from xinbao.items.models import Channel, Item, ItemStatus
from xinbao.lib.http import signature
from xinbao.test import BaseTestCase

SECRET = "inbound-sms-secret"


@override_settings(XINBAO_SMS_CALLBACK_SECRET=SECRET)
class SmsTests(BaseTestCase):
    def post(self, payload: Any, *, secret: str = SECRET, raw: bytes | None = None) -> Any:
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        return self.client.post(
            reverse("inbound:sms"),
            body,
            content_type="application/json",
            headers={"X-Signature": signature(body, secret)},
        )

    def sms(self, **extra: Any) -> dict[str, Any]:
        return {
            "id": "gw-1001",
            "from": "+86 138-0000-0001",
            "text": "东城县青石镇山洪已退，群众已返家。",
            "received_at": "2026-07-08 09:15:00",
            **extra,
        }

    def test_it_makes_a_draft_of_the_reporters_unit(self) -> None:
        answer = self.post(self.sms())
        self.assertEqual(answer.status_code, 200)
        item = Item.objects.get()
        self.assertEqual(
            answer.json(),
            {"ok": True, "created": True, "state": "drafted", "item": item.pk},
        )
        self.assertEqual(
            (item.unit, item.status, item.channel, item.source_id, item.created_by),
            (self.county_a, ItemStatus.DRAFT, Channel.SMS, "gw-1001", self.alice),
        )
        self.assertEqual(item.body, "东城县青石镇山洪已退，群众已返家。")
        message = InboundMessage.objects.get()
        # Beijing time without a zone, stored in UTC.
        self.assertEqual(message.received_at.isoformat(), "2026-07-08T01:15:00+00:00")
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:list"), {"status": "draft"})
        self.assertContains(page, "东城县青石镇山洪已退")
        self.assertContains(page, "SMS")

    def test_it_submits_at_once_where_the_office_allows_it(self) -> None:
        self.client.force_login(self.chief)
        self.client.post(reverse("inbound:policy"), {"channel": "sms", "submit_at_once": "on"})
        self.assertTrue(InboundPolicy.objects.get(channel="sms").submit_at_once)
        self.client.logout()
        self.assertEqual(self.post(self.sms()).json()["state"], "submitted")
        item = Item.objects.get()
        self.assertEqual(item.status, ItemStatus.SUBMITTED)
        # Submitted, the office sees it at once.
        self.client.force_login(self.ed)
        self.assertContains(self.client.get(reverse("inbound:list")), item.title)

    def test_it_refuses_a_bad_signature_and_stores_nothing(self) -> None:
        answer = self.post(self.sms(), secret="not-the-secret")
        self.assertEqual(answer.status_code, 401)
        self.assertIn("signature", answer.json()["detail"])
        unsigned = self.client.post(
            reverse("inbound:sms"), json.dumps(self.sms()), content_type="application/json"
        )
        self.assertEqual(unsigned.status_code, 401)
        self.assertFalse(InboundMessage.objects.exists())
        self.assertFalse(Item.objects.exists())

    def test_it_makes_one_item_of_a_resent_message(self) -> None:
        first = self.post(self.sms()).json()
        again = self.post(self.sms()).json()
        self.assertEqual(again, {**first, "created": False})
        self.assertEqual(Item.objects.count(), 1)
        self.assertEqual(InboundMessage.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="inbound.receive").count(), 1)

    def test_it_quarantines_an_unknown_number(self) -> None:
        answer = self.post(self.sms(**{"from": "13999999999"}))
        self.assertEqual(answer.json()["state"], "quarantined")
        self.assertIsNone(answer.json()["item"])
        self.assertEqual(InboundMessage.objects.get().state, InboundState.QUARANTINED)
        self.assertFalse(Item.objects.exists())

    def test_it_answers_bad_bodies_with_json_errors(self) -> None:
        not_json = self.post(None, raw=b"id=1&from=2")
        self.assertEqual(not_json.status_code, 400)
        self.assertEqual(not_json.json(), {"detail": "The body is not JSON."})
        missing = self.post({"id": "", "from": "x", "text": " ", "received_at": "yesterday"})
        self.assertEqual(missing.status_code, 422)
        self.assertEqual(
            [e["loc"][-1] for e in missing.json()["detail"]],
            ["id", "from", "text", "received_at"],
        )
        self.assertFalse(InboundMessage.objects.exists())
