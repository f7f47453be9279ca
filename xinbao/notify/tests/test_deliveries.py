"""The deliveries list and a delivery's page, for the system and security administrators."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from xinbao.notify.models import Attempt, Channel, Message, MessageState
from xinbao.notify.tests.cases import PagesCase


class DeliveriesTest(PagesCase):
    def test_it_refuses_everyone_but_the_system_and_security_administrators(self) -> None:
        message = self.message(state=MessageState.FAILED)
        pages = [
            reverse("notify:deliveries"),
            reverse("notify:delivery_detail", args=[message.pk]),
        ]
        for user in (self.alice, self.ed, self.chief, self.duty, self.leader, self.auditor):
            self.login(user)
            for url in pages:
                assert self.client.get(url).status_code == 403, (user, url)
            response = self.client.post(reverse("notify:delivery_retry", args=[message.pk]))
            assert response.status_code == 403, user
        message.refresh_from_db()
        assert message.state == MessageState.FAILED
        for user in (self.sysadmin, self.secadmin):
            self.login(user)
            for url in pages:
                assert self.client.get(url).status_code == 200, (user, url)

    def test_it_counts_and_highlights_the_failed_ones(self) -> None:
        self.message(state=MessageState.FAILED, title="失败甲", error="号码无效")
        self.message(state=MessageState.FAILED, title="失败乙")
        self.message(state=MessageState.SENT, title="已发送")
        self.login(self.sysadmin)
        body = self.client.get(reverse("notify:deliveries")).content.decode()
        assert "2 failed deliveries need attention" in body
        assert body.count("xb-failed") == 2
        assert "号码无效" in body

    def test_it_filters_by_channel_state_event_recipient_and_date(self) -> None:
        zhao = self.person("赵小红")
        self.message(channel=Channel.SMS, title="短信甲")
        self.message(channel=Channel.EMAIL, title="邮件乙", state=MessageState.FAILED)
        self.message(channel=Channel.SMS, title="约稿丙", event="urgent_demand", to=zhao)
        old = self.message(channel=Channel.SMS, title="旧消息丁")
        Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
        self.login(self.sysadmin)
        url = reverse("notify:deliveries")

        # The list names no subject (administrators do not read the business): each message
        # is known by the link to its page.
        titles = {
            t: Message.objects.get(body__contains=t).pk
            for t in ("短信甲", "邮件乙", "约稿丙", "旧消息丁")
        }

        def shown(query: str) -> set[str]:
            body = self.client.get(url + "?" + query).content.decode()
            return {
                t
                for t in ("短信甲", "邮件乙", "约稿丙", "旧消息丁")
                if reverse("notify:delivery_detail", args=[titles[t]]) in body
            }

        assert shown("channel=email") == {"邮件乙"}
        assert shown("state=failed") == {"邮件乙"}
        assert shown("event=urgent_demand") == {"约稿丙"}
        assert shown("recipient=赵小") == {"约稿丙"}
        today = timezone.localdate()
        assert shown(f"date_from={today - dt.timedelta(days=1)}") == {"短信甲", "邮件乙", "约稿丙"}
        ten = today - dt.timedelta(days=10)
        assert shown(f"date_from={ten}&date_to={ten}") == {"旧消息丁"}
        assert shown("channel=sms&state=queued&recipient=王建国") == {"短信甲", "旧消息丁"}

    def test_it_answers_the_htmx_filter_with_the_table_only(self) -> None:
        message = self.message(title="短信甲")
        self.login(self.secadmin)
        response = self.client.get(
            reverse("notify:deliveries") + "?channel=sms", HTTP_HX_REQUEST="true"
        )
        body = response.content.decode()
        assert reverse("notify:delivery_detail", args=[message.pk]) in body
        assert "<nav class" not in body

    def test_it_shows_administrators_no_subject_or_text(self) -> None:
        message = self.message(title="东城县化工园区爆炸事故")
        self.login(self.sysadmin)
        for url in (
            reverse("notify:deliveries"),
            reverse("notify:delivery_detail", args=[message.pk]),
        ):
            body = self.client.get(url).content.decode()
            assert "东城县化工园区爆炸事故" not in body, url
            assert message.body not in body, url
        assert "Only its recipient reads the text" in body

    def test_it_shows_every_attempt_and_the_delivery_report(self) -> None:
        message = self.message(state=MessageState.SENT)
        now = timezone.now()
        Attempt.objects.create(
            message=message,
            started_at=now,
            duration_ms=1234,
            ok=False,
            response='{"code": 500}',
            error="服务器错误",
            by="sender-1",
        )
        Attempt.objects.create(
            message=message, started_at=now, duration_ms=87, ok=True, response="OK", by="sender-2"
        )
        Message.objects.filter(pk=message.pk).update(
            delivery_status="DELIVRD", delivered_at=now, provider_id="sms-42"
        )
        self.login(self.sysadmin)
        body = self.client.get(
            reverse("notify:delivery_detail", args=[message.pk])
        ).content.decode()
        for text in ("1234 ms", "87 ms", "服务器错误", "sender-1", "sender-2", "DELIVRD", "sms-42"):
            assert text in body, text
        assert body.count("xb-attempt-failed") == 1
        assert "Retry now" not in body

    def test_it_answers_404_for_a_message_that_does_not_exist(self) -> None:
        self.login(self.sysadmin)
        response = self.client.get(reverse("notify:delivery_detail", args=[999999]))
        assert response.status_code == 404
