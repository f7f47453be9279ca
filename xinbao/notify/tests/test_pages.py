"""Administrators' and the duty officer's pages: deliveries, retries, calls, template preview."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.audit.models import AuditEvent
from xinbao.notify.models import (
    Attempt,
    CallOutcome,
    Channel,
    Message,
    MessageState,
    PhoneCall,
)
from xinbao.notify.services import Recipient, deliver_due, queue
from xinbao.org.models import Person
from xinbao.test import BaseTestCase


class PagesCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def person(self, name: str = "王建国") -> Person:
        return Person.objects.get(name=name)

    def message(
        self,
        *,
        channel: str = Channel.SMS,
        state: str = MessageState.QUEUED,
        to: Person | None = None,
        event: str = "item_received",
        title: str = "东城县召开防汛工作会议",
        error: str = "",
    ) -> Message:
        """A message in the outbox; its state set directly, as a test of pages needs it."""
        message = queue(
            channel=channel,
            to=Recipient.of_person(to or self.person()),
            event=event,
            context={"title": title, "unit": "东城县委办公室", "matter": title, "deadline": "18时"},
        )
        Message.objects.filter(pk=message.pk).update(state=state, last_error=error)
        message.refresh_from_db()
        return message

    def login(self, user: User) -> None:
        self.client.force_login(user)


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

        def shown(query: str) -> set[str]:
            body = self.client.get(url + "?" + query).content.decode()
            return {t for t in ("短信甲", "邮件乙", "约稿丙", "旧消息丁") if t in body}

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
        self.message(title="短信甲")
        self.login(self.secadmin)
        response = self.client.get(
            reverse("notify:deliveries") + "?channel=sms", HTTP_HX_REQUEST="true"
        )
        body = response.content.decode()
        assert "短信甲" in body and "<nav class" not in body

    def test_it_keeps_the_list_at_a_frozen_query_count(self) -> None:
        self.login(self.sysadmin)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(reverse("notify:deliveries"))
            assert response.status_code == 200
            return len(ctx.captured_queries)

        for i in range(3):
            self.message(title=f"消息{i}", state=MessageState.FAILED if i % 2 else "queued")
        small = count()
        for i in range(30):
            self.message(title=f"更多{i}", state=MessageState.FAILED if i % 2 else "sent")
        assert count() == small
        # Session and user, the total, the failed count, the page's rows, the session save (3).
        assert small == 8, small

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


class RetryTest(PagesCase):
    def test_it_queues_a_failed_message_again_with_an_audit_event(self) -> None:
        message = self.message(state=MessageState.FAILED, error="号码无效")
        self.login(self.sysadmin)
        page = self.client.get(reverse("notify:delivery_detail", args=[message.pk]))
        assert "Retry now" in page.content.decode()
        response = self.client.post(reverse("notify:delivery_retry", args=[message.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("notify:delivery_detail", args=[message.pk])
        message.refresh_from_db()
        assert message.state == MessageState.QUEUED
        event = AuditEvent.objects.get(action="message.retry")
        assert event.actor == self.sysadmin and event.object_id == str(message.pk)

    def test_it_leaves_a_message_that_did_not_fail_alone(self) -> None:
        message = self.message(state=MessageState.SENT)
        self.login(self.sysadmin)
        self.client.post(reverse("notify:delivery_retry", args=[message.pk]))
        message.refresh_from_db()
        assert message.state == MessageState.SENT
        assert not AuditEvent.objects.filter(action="message.retry").exists()

    def test_it_refuses_get(self) -> None:
        message = self.message(state=MessageState.FAILED)
        self.login(self.sysadmin)
        assert (
            self.client.get(reverse("notify:delivery_retry", args=[message.pk])).status_code == 405
        )


class CallsTest(PagesCase):
    def open_call(self, name: str = "王建国") -> PhoneCall:
        self.message(channel=Channel.PHONE_CALL, event="urgent_demand", to=self.person(name))
        deliver_due()
        return PhoneCall.objects.filter(message__person__name=name).latest("id")

    def test_it_is_for_the_duty_officer_editors_and_section_chiefs(self) -> None:
        call = self.open_call()
        for user in (self.alice, self.leader, self.sysadmin, self.auditor):
            self.login(user)
            assert self.client.get(reverse("notify:calls")).status_code == 403, user
            response = self.client.post(
                reverse("notify:call_record", args=[call.pk]), {f"call{call.pk}-outcome": "reached"}
            )
            assert response.status_code == 403, user
        for user in (self.duty, self.ed, self.chief):
            self.login(user)
            assert self.client.get(reverse("notify:calls")).status_code == 200, user
        call.refresh_from_db()
        assert call.outcome == ""

    def test_it_lists_open_calls_with_the_number_and_the_text_to_read_out(self) -> None:
        call = self.open_call()
        self.login(self.duty)
        body = self.client.get(reverse("notify:calls")).content.decode()
        assert f'id="call-{call.pk}"' in body
        assert f'href="tel:{call.message.address}"' in body
        assert call.message.subject in body
        assert "东城县召开防汛工作会议" in body

    def test_it_records_a_reached_call_as_a_successful_attempt(self) -> None:
        call = self.open_call()
        self.login(self.duty)
        response = self.client.post(
            reverse("notify:call_record", args=[call.pk]),
            {f"call{call.pk}-outcome": CallOutcome.REACHED, f"call{call.pk}-notes": "本人接听"},
        )
        assert response.status_code == 302
        call.refresh_from_db()
        assert call.outcome == CallOutcome.REACHED and call.called_by == self.duty
        message = Message.objects.get(pk=call.message_id)
        assert message.state == MessageState.SENT and message.read_at is not None
        attempt = Attempt.objects.filter(message=message).latest("id")
        assert attempt.ok and attempt.by == str(self.duty)
        assert AuditEvent.objects.filter(action="phone_call.record").exists()
        body = self.client.get(reverse("notify:calls")).content.decode()
        assert f'id="call-{call.pk}"' not in body
        assert "本人接听" in body  # among the recently recorded

    def test_it_records_no_answer_and_queues_another_call(self) -> None:
        call = self.open_call()
        self.login(self.ed)
        self.client.post(
            reverse("notify:call_record", args=[call.pk]),
            {f"call{call.pk}-outcome": CallOutcome.NO_ANSWER},
        )
        message = Message.objects.get(pk=call.message_id)
        assert message.state == MessageState.QUEUED
        assert not Attempt.objects.get(message=message, by=str(self.ed)).ok

    def test_it_records_a_call_once(self) -> None:
        call = self.open_call()
        self.login(self.duty)
        url = reverse("notify:call_record", args=[call.pk])
        data = {f"call{call.pk}-outcome": CallOutcome.BUSY}
        self.client.post(url, data)
        self.client.post(url, data)
        assert Attempt.objects.filter(message_id=call.message_id, by=str(self.duty)).count() == 1

    def test_it_keeps_the_notes_when_the_outcome_is_missing(self) -> None:
        call = self.open_call()
        self.login(self.duty)
        response = self.client.post(
            reverse("notify:call_record", args=[call.pk]), {f"call{call.pk}-notes": "占线两次"}
        )
        assert response.status_code == 400
        assert "占线两次" in response.content.decode()
        call.refresh_from_db()
        assert call.outcome == ""

    def test_it_hides_a_call_no_longer_needed(self) -> None:
        call = self.open_call()
        Message.objects.filter(pk=call.message_id).update(state=MessageState.CANCELLED)
        self.login(self.duty)
        body = self.client.get(reverse("notify:calls")).content.decode()
        assert f'id="call-{call.pk}"' not in body


class TemplatePreviewTest(PagesCase):
    def test_it_is_for_the_system_administrator_only(self) -> None:
        for user in (self.alice, self.ed, self.secadmin, self.auditor):
            self.login(user)
            assert self.client.get(reverse("notify:template_preview")).status_code == 403, user

    def test_it_lists_every_event_template_and_renders_its_sample(self) -> None:
        self.login(self.sysadmin)
        body = self.client.get(
            reverse("notify:template_preview") + "?event=urgent_demand"
        ).content.decode()
        for name in ("digest", "item_received", "test", "urgent_demand"):
            assert f"?event={name}" in body
        assert 'id="preview-subject"' in body
        assert "7月3日暴雨灾情及人员转移情况" in body

    def test_it_renders_the_context_typed_in(self) -> None:
        self.login(self.sysadmin)
        context = {"title": "西山县开展安全生产大检查", "unit": "西山县委办公室"}
        response = self.client.post(
            reverse("notify:template_preview"),
            {"event": "item_received", "context": json.dumps(context, ensure_ascii=False)},
        )
        body = response.content.decode()
        subject = body.split('id="preview-subject">', 1)[1].split("<", 1)[0]
        assert "西山县开展安全生产大检查" in subject
        text = body.split('id="preview-text">', 1)[1].split("</div>", 1)[0]
        assert "西山县委办公室" in text

    def test_it_keeps_bad_json_and_says_what_is_wrong(self) -> None:
        self.login(self.sysadmin)
        typed = '{"title": "西山县开展安全生产大检查", unit: }'
        response = self.client.post(
            reverse("notify:template_preview"), {"event": "item_received", "context": typed}
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "not valid JSON" in body
        assert "西山县开展安全生产大检查&quot;, unit: }" in body
        assert 'id="preview"' not in body

    def test_it_refuses_a_context_that_is_not_an_object(self) -> None:
        self.login(self.sysadmin)
        response = self.client.post(
            reverse("notify:template_preview"), {"event": "test", "context": "[1, 2]"}
        )
        assert "must be a JSON object" in response.content.decode()

    def test_it_refuses_an_event_that_is_not_a_template(self) -> None:
        self.login(self.sysadmin)
        response = self.client.post(
            reverse("notify:template_preview"), {"event": "../../base", "context": "{}"}
        )
        body = response.content.decode()
        assert 'id="preview"' not in body
        assert "is-invalid" in body

    def test_it_reads_a_date_for_the_digest(self) -> None:
        self.login(self.sysadmin)
        body = self.client.get(
            reverse("notify:template_preview") + "?event=digest"
        ).content.decode()
        assert "2026-07-03" in body.split('id="preview-subject">', 1)[1].split("<", 1)[0]


class NavigationAndHomeTest(PagesCase):
    def test_it_offers_each_page_in_the_menu_of_its_roles(self) -> None:
        expected = {
            self.sysadmin: {"notify:deliveries", "notify:template_preview"},
            self.secadmin: {"notify:deliveries"},
            self.duty: {"notify:calls"},
            self.ed: {"notify:calls"},
            self.alice: set(),
        }
        names = ("notify:deliveries", "notify:template_preview", "notify:calls")
        for user, wanted in expected.items():
            self.login(user)
            menu = {href for _, href in self.client.get(reverse("home")).context["nav_all"]}
            present = {n for n in names if reverse(n) in menu}
            assert present == wanted, user

    def test_it_tells_the_system_administrator_about_failed_deliveries_at_home(self) -> None:
        self.message(state=MessageState.FAILED)
        self.login(self.sysadmin)
        body = self.client.get(reverse("home")).content.decode()
        assert "1 failed delivery needs attention" in body
        self.login(self.ed)
        assert 'id="failed-deliveries"' not in self.client.get(reverse("home")).content.decode()
