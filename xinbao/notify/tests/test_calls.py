"""The phone calls to make: the duty officer's list and recording the outcome."""

from __future__ import annotations

from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.notify.models import Attempt, CallOutcome, Channel, Message, MessageState, PhoneCall
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.cases import PagesCase


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
