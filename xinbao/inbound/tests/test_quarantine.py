"""The inbound pages: the list with its filters, and the quarantine's release and rejection."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.inbound import services
from xinbao.inbound.models import InboundMessage, InboundState
from xinbao.items.models import Channel, ItemStatus
from xinbao.test import BaseTestCase


class QuarantineTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.stranger = services.receive(
            channel=Channel.SMS,
            source_id="gw-1",
            sender="13999999999",
            text="西山县城关镇自来水管爆裂，两个小区停水。",
        ).message
        self.known = services.receive(
            channel=Channel.EMAIL,
            source_id="<k1@dongcheng.gov.cn>",
            sender="unknown@example.com",
            subject="东城县来函",
            text="情况说明",
        ).message

    def release(self, message: InboundMessage, **fields: Any) -> Any:
        return self.client.post(
            reverse("inbound:release", args=[message.pk]),
            {f"r{message.pk}-{k}": v for k, v in fields.items()},
        )

    def test_it_lists_messages_with_their_channel_for_the_office_only(self) -> None:
        self.client.force_login(self.duty)
        page = self.client.get(reverse("inbound:list"))
        self.assertContains(page, "西山县城关镇自来水管爆裂")
        self.assertContains(page, "东城县来函")
        self.assertContains(page, 'xb-channel-sms">SMS')
        self.assertContains(page, "Inbound messages")  # the menu entry
        only_email = self.client.get(reverse("inbound:list"), {"channel": "email"})
        self.assertContains(only_email, "东城县来函")
        self.assertNotContains(only_email, "自来水管")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("inbound:list")).status_code, 403)
        self.assertEqual(self.client.get(reverse("inbound:quarantine")).status_code, 403)
        self.assertNotContains(self.client.get(reverse("home")), "Inbound messages")

    def test_it_keeps_what_was_typed_when_the_release_is_refused(self) -> None:
        self.client.force_login(self.ed)
        page = self.release(
            self.stranger, unit=self.county_b.pk, writer_name="城关镇王主任", writer_phone="12"
        )
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "Enter a phone number of 7 to 12 digits.", status_code=400)
        self.assertContains(page, 'value="城关镇王主任"', status_code=400)
        self.assertEqual(InboundMessage.objects.get(pk=self.stranger.pk).state, "quarantined")

    def test_it_releases_to_a_units_reporter_when_the_chief_does_not_write(self) -> None:
        self.client.force_login(self.chief)
        page = self.release(
            self.stranger, unit=self.county_b.pk, writer_name="王主任", writer_phone="13999999999"
        )
        self.assertContains(
            page, "Your role does not write items: choose a reporter of the unit.", status_code=400
        )
        self.assertContains(page, 'value="王主任"', status_code=400)
        wrong = self.release(
            self.stranger,
            unit=self.county_b.pk,
            author=self.alice.pk,
            writer_name="王主任",
            writer_phone="13999999999",
        )
        self.assertContains(wrong, "Choose a reporter of the chosen unit.", status_code=400)
        done = self.release(
            self.stranger,
            unit=self.county_b.pk,
            author=self.bob.pk,
            writer_name="王主任",
            writer_phone="13999999999",
            submit="on",
        )
        self.assertRedirects(done, reverse("inbound:quarantine"))
        message = InboundMessage.objects.get(pk=self.stranger.pk)
        item = message.item
        assert item is not None
        self.assertEqual(
            (message.state, message.decided_by, item.unit, item.created_by, item.status),
            (InboundState.RELEASED, self.chief, self.county_b, self.bob, ItemStatus.SUBMITTED),
        )
        self.assertEqual(item.source_id, "gw-1")
        self.assertTrue(AuditEvent.objects.filter(action="inbound.release").exists())
        # Bob finds it among his unit's items, marked as an SMS.
        self.client.force_login(self.bob)
        self.assertContains(self.client.get(reverse("items:list")), "西山县城关镇自来水管爆裂")
        # Released once: a second release is refused (the message left the quarantine).
        self.client.force_login(self.chief)
        again = self.release(
            self.stranger, unit=self.county_b.pk, writer_name="王主任", writer_phone="13999999999"
        )
        self.assertEqual(again.status_code, 404)

    def test_it_rejects_with_a_reason(self) -> None:
        self.client.force_login(self.duty)
        url = reverse("inbound:reject", args=[self.known.pk])
        empty = self.client.post(url, {f"j{self.known.pk}-reason": " "})
        self.assertContains(empty, "This field is required.", status_code=400)
        done = self.client.post(url, {f"j{self.known.pk}-reason": "广告邮件"})
        self.assertRedirects(done, reverse("inbound:quarantine"))
        message = InboundMessage.objects.get(pk=self.known.pk)
        self.assertEqual(
            (message.state, message.rejection_reason, message.decided_by),
            (InboundState.REJECTED, "广告邮件", self.duty),
        )
        page = self.client.get(reverse("inbound:list"), {"state": "rejected"})
        self.assertContains(page, "广告邮件")
        self.assertNotContains(page, "自来水管")
        quarantine = self.client.get(reverse("inbound:quarantine"))
        self.assertNotContains(quarantine, "东城县来函")
        self.assertContains(quarantine, "自来水管")

    def test_it_lets_only_the_desk_set_the_policy(self) -> None:
        self.client.force_login(self.duty)
        answer = self.client.post(
            reverse("inbound:policy"), {"channel": "email", "submit_at_once": "on"}
        )
        self.assertEqual(answer.status_code, 403)
        self.assertFalse(services.submits_at_once(Channel.EMAIL))
        self.client.force_login(self.ed)
        self.client.post(reverse("inbound:policy"), {"channel": "email", "submit_at_once": "on"})
        self.assertTrue(services.submits_at_once(Channel.EMAIL))
        self.assertContains(self.client.get(reverse("inbound:list")), "submitted at once")


class ThreadTests(BaseTestCase):
    def receive(self, source_id: str, sender: str, **extra: Any) -> InboundMessage:
        return services.receive(
            channel=Channel.EMAIL,
            source_id=source_id,
            message_id=source_id,
            sender=sender,
            subject=extra.pop("subject", "来函"),
            text=extra.pop("text", "情况"),
            **extra,
        ).message

    def test_it_joins_no_thread_for_a_stranger_naming_a_message_id(self) -> None:
        self.alice.email = "alice@dongcheng.gov.cn"
        self.alice.save()
        first = self.receive("<a1@x>", "alice@dongcheng.gov.cn")
        assert first.item is not None
        forged = self.receive("<s1@x>", "stranger@example.com", references=["<a1@x>"])
        self.assertEqual((forged.state, forged.item, forged.reply_to), ("quarantined", None, None))
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:detail", args=[first.item.pk]))
        self.assertNotContains(page, "stranger@example.com")

    def test_it_keeps_a_reply_to_a_quarantined_message_in_quarantine_beside_it(self) -> None:
        first = self.receive("<q1@x>", "someone@example.com", subject="路面塌陷")
        reply = self.receive("<q2@x>", "someone@example.com", references=["<q1@x>"])
        self.assertEqual((reply.state, reply.reply_to, reply.item), ("quarantined", first, None))
        self.client.force_login(self.ed)
        self.assertContains(self.client.get(reverse("inbound:quarantine")), "A reply to 路面塌陷")
