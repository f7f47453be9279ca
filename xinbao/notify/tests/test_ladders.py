"""The urgent and normal ladders."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from xinbao.accounts.models import Role
from xinbao.notify import Recipient, resolve
from xinbao.notify.ladders import escalate_due, notify
from xinbao.notify.models import Channel, Dispatch, Message, MessageState, Notification
from xinbao.notify.services import deliver_due, mark_read
from xinbao.org.models import Person, Position
from xinbao.scheduler.services import run_chore
from xinbao.test import BaseTestCase, make_user

T0 = dt.datetime(2026, 7, 3, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
WECOM = {"wecom_app": {"corp_id": "ww-test"}, "urgent_call_after_minutes": 15}


@override_settings(XINBAO_NOTIFY=WECOM)
class LadderTest(BaseTestCase):
    def setUp(self) -> None:
        self.head = Person.objects.get(unit=self.county_a, name="王建国")
        self.head.wecom_userid = "wangjianguo"
        self.head.email = "wjg@dongcheng.example"
        self.head.user = make_user("wjg", Role.REPORTER, self.county_a)
        self.head.save()

    def heads(self) -> list[Recipient]:
        return resolve(units=[self.county_a], positions=[Position.HEAD])

    def test_it_sends_urgent_notices_on_every_fast_channel_at_once(self) -> None:
        with time_machine.travel(T0, tick=False):
            notify(
                to=self.heads(),
                event="urgent_demand",
                ladder="urgent",
                context={"matter": "青石镇山洪", "deadline": "09:30", "unit": "东城县"},
            )
        channels = set(Message.objects.values_list("channel", flat=True))
        assert channels == {Channel.SMS, Channel.WECOM_APP, Channel.IN_APP}
        sms = Message.objects.get(channel=Channel.SMS)
        assert "青石镇山洪" in sms.body
        assert "/notify/ack/" in sms.body

    def test_it_asks_for_a_call_when_an_urgent_notice_stays_unread(self) -> None:
        with time_machine.travel(T0, tick=False) as tm:
            [dispatch] = notify(
                to=self.heads(),
                event="urgent_demand",
                ladder="urgent",
                context={"matter": "山洪", "deadline": "09:30"},
            )
            tm.move_to(T0 + dt.timedelta(minutes=14))
            assert escalate_due() == 0
            tm.move_to(T0 + dt.timedelta(minutes=15))
            assert escalate_due() == 1
            assert escalate_due() == 0  # each step runs once
            deliver_due()
        call = Message.objects.get(channel=Channel.PHONE_CALL)
        assert call.state == MessageState.WAITING
        assert call.calls.get().outcome == ""
        dispatch.refresh_from_db()
        assert dispatch.step == 1 and dispatch.next_step_at is None

    def test_it_calls_nobody_once_the_notice_was_read(self) -> None:
        with time_machine.travel(T0, tick=False) as tm:
            notify(
                to=self.heads(),
                event="urgent_demand",
                ladder="urgent",
                context={"matter": "山洪", "deadline": "09:30"},
            )
            deliver_due()
            notification = Notification.objects.select_related("user").get(user=self.head.user)
            mark_read(user=notification.user, notification=notification)
            tm.move_to(T0 + dt.timedelta(minutes=20))
            assert escalate_due() == 0
        assert not Message.objects.filter(channel=Channel.PHONE_CALL).exists()
        assert Dispatch.objects.get().read_at is not None
        assert Message.objects.filter(read_at__isnull=False).count() == 3

    def test_it_notifies_once_per_key(self) -> None:
        for _ in range(2):
            notify(to=self.heads(), event="test", context={}, key="k1")
        assert Dispatch.objects.count() == 1
        assert Message.objects.count() == 1

    def test_it_sends_the_normal_ladder_in_app_then_a_daily_digest(self) -> None:
        with time_machine.travel(T0, tick=False) as tm:
            notify(
                to=self.heads(),
                event="item_received",
                context={"title": "防汛会议", "unit": "东城县"},
            )
            notify(to=self.heads(), event="test", context={})
            deliver_due()
            assert Notification.objects.filter(user=self.head.user).count() == 2
            assert run_chore("notify.digest") == "0 handled"  # not yet
            tm.move_to(T0 + dt.timedelta(hours=9, minutes=5))  # 18:05 in Shanghai
            assert run_chore("notify.digest") == "1 handled"
            assert run_chore("notify.digest") == "0 handled"  # once a day
        email = Message.objects.get(channel=Channel.EMAIL)
        assert "防汛会议" in email.body
        assert email.person == self.head


class CallRecordingTest(BaseTestCase):
    def test_it_refuses_to_record_a_call_twice(self) -> None:
        from xinbao.notify.models import CallOutcome, PhoneCall
        from xinbao.notify.services import CallAlreadyRecorded, Recipient, queue, record_call

        message = queue(
            channel=Channel.PHONE_CALL, to=Recipient.of_user(self.alice), event="test", context={}
        )
        call = PhoneCall.objects.create(message=message)
        record_call(actor=self.duty, call=call, outcome=CallOutcome.NO_ANSWER)
        with pytest.raises(CallAlreadyRecorded):
            record_call(actor=self.ed, call=call, outcome=CallOutcome.REACHED)
        assert message.attempts.count() == 1
