"""The outbox itself: transactional queueing, leases, retries, rate limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

import pytest
import time_machine
from django.db import transaction
from django.test import TestCase, override_settings

from xinbao.notify import transports
from xinbao.notify.models import (
    Attempt,
    Channel,
    Endpoint,
    Message,
    MessageState,
    Notification,
)
from xinbao.notify.services import Recipient, claim_batch, deliver, deliver_due, queue
from xinbao.notify.transports.base import Sent, Transport, TransportError
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


class ScriptedTransport(Transport):
    """A transport whose answers a test scripts: the outbox logic is under test, not a peer."""

    channel = "dingtalk"
    script: ClassVar[list[str]] = []
    sent: ClassVar[list[int]] = []

    def address_of(self, message: Message) -> str:
        return message.endpoint.url if message.endpoint else "robot"

    def send(self, message: Message) -> Sent:
        answer = self.script.pop(0) if self.script else "ok"
        if answer == "transient":
            raise TransportError("HTTP 500", response="server error")
        if answer == "permanent":
            raise TransportError("errcode 310000: bad sign", permanent=True)
        if answer == "crash":
            raise ValueError("unexpected")
        self.sent.append(message.pk)
        return Sent(provider_id=f"p{message.pk}", response='{"errcode": 0}')


@contextmanager
def scripted(*answers: str) -> Iterator[type[ScriptedTransport]]:
    ScriptedTransport.script = list(answers)
    ScriptedTransport.sent = []
    saved = transports.REGISTRY["dingtalk"]
    transports.REGISTRY["dingtalk"] = f"{__name__}:ScriptedTransport"
    try:
        yield ScriptedTransport
    finally:
        transports.REGISTRY["dingtalk"] = saved


FAST = {"backoff": [30, 60, 120], "lease_seconds": 60}


@override_settings(XINBAO_NOTIFY=FAST)
class OutboxTest(BaseTestCase):
    def setUp(self) -> None:
        self.robot = Endpoint.objects.create(
            name="东城县信息群",
            channel=Channel.DINGTALK,
            url="http://127.0.0.1:9/robot",
            per_minute=3,
        )

    def _robot_message(self, n: int = 0) -> Message:
        return queue(
            channel=Channel.DINGTALK,
            to=Recipient.of_endpoint(self.robot),
            event="test",
            context={},
            dedupe_key=f"robot-{n}",
        )

    def test_it_rolls_a_message_back_with_its_transaction(self) -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue(
                channel=Channel.IN_APP, to=Recipient.of_user(self.alice), event="test", context={}
            )
            raise RuntimeError("the business change failed")
        assert not Message.objects.exists()

    def test_it_renders_the_event_template_with_its_context(self) -> None:
        message = queue(
            channel=Channel.IN_APP,
            to=Recipient.of_user(self.alice),
            event="item_received",
            context={"title": "防汛会议", "unit": "东城县"},
        )
        assert "防汛会议" in message.subject
        assert "东城县" in message.body

    def test_it_delivers_in_app_and_records_the_attempt(self) -> None:
        message = queue(
            channel=Channel.IN_APP, to=Recipient.of_user(self.alice), event="test", context={}
        )
        assert deliver_due() == 1
        message.refresh_from_db()
        assert message.state == MessageState.SENT
        assert message.sent_at is not None
        assert Notification.objects.get(message=message).user == self.alice
        attempt = Attempt.objects.get(message=message)
        assert attempt.ok and attempt.duration_ms >= 0

    def test_it_returns_the_existing_message_for_a_known_dedupe_key(self) -> None:
        first = self._robot_message()
        assert self._robot_message().pk == first.pk
        assert Message.objects.count() == 1

    def test_it_retries_transient_failures_with_backoff_then_sends(self) -> None:
        with scripted("transient", "transient", "ok"), time_machine.travel(T0, tick=False) as tm:
            message = self._robot_message()
            deliver_due()
            message.refresh_from_db()
            assert message.state == MessageState.QUEUED
            assert message.next_attempt_at == T0 + dt.timedelta(seconds=30)
            assert deliver_due() == 0  # not due yet
            tm.move_to(T0 + dt.timedelta(seconds=31))
            deliver_due()
            message.refresh_from_db()
            assert message.next_attempt_at == T0 + dt.timedelta(seconds=31 + 60)
            tm.move_to(T0 + dt.timedelta(seconds=92))
            deliver_due()
        message.refresh_from_db()
        assert message.state == MessageState.SENT
        assert list(message.attempts.values_list("ok", flat=True)) == [False, False, True]

    def test_it_gives_up_after_the_last_retry(self) -> None:
        with scripted(*["transient"] * 4), time_machine.travel(T0, tick=False) as tm:
            message = self._robot_message()
            for minutes in (0, 1, 3, 6):
                tm.move_to(T0 + dt.timedelta(minutes=minutes))
                deliver_due()
        message.refresh_from_db()
        assert message.state == MessageState.FAILED
        assert message.attempts.count() == 4
        assert "HTTP 500" in message.last_error

    def test_it_stops_at_once_on_a_permanent_failure(self) -> None:
        with scripted("permanent"):
            message = self._robot_message()
            deliver_due()
        message.refresh_from_db()
        assert message.state == MessageState.FAILED
        assert message.attempts.get().permanent

    def test_it_retries_after_an_unexpected_error_in_a_transport(self) -> None:
        with scripted("crash", "ok"), time_machine.travel(T0, tick=False) as tm:
            message = self._robot_message()
            deliver_due()
            message.refresh_from_db()
            assert message.state == MessageState.QUEUED
            assert "ValueError" in message.last_error
            tm.move_to(T0 + dt.timedelta(minutes=1))
            deliver_due()
        message.refresh_from_db()
        assert message.state == MessageState.SENT

    def test_it_lets_only_one_sender_claim_a_message(self) -> None:
        self._robot_message(1)
        self._robot_message(2)
        first = claim_batch("sender-a", 10)
        second = claim_batch("sender-b", 10)
        assert len(first) == 2
        assert second == []

    def test_it_takes_over_a_message_whose_sender_died(self) -> None:
        with scripted("ok"), time_machine.travel(T0, tick=False) as tm:
            message = self._robot_message()
            [claimed] = claim_batch("dead-sender", 10)
            # The sender dies here: nothing happens until its lease runs out.
            tm.move_to(T0 + dt.timedelta(seconds=30))
            assert claim_batch("sender-b", 10) == []
            tm.move_to(T0 + dt.timedelta(seconds=61))
            [again] = claim_batch("sender-b", 10)
            assert again.pk == message.pk
            assert deliver(again, "sender-b") == MessageState.SENT
            # The dead sender, come back late, no longer holds the lease: it sends nothing.
            deliver(claimed, "dead-sender")
            assert ScriptedTransport.sent == [message.pk]
        message.refresh_from_db()
        assert message.lease_owner == "sender-b"

    def test_it_queues_past_a_robots_rate_limit_and_drops_nothing(self) -> None:
        with scripted(), time_machine.travel(T0, tick=False) as tm:
            for n in range(5):
                self._robot_message(n)
            deliver_due()
            assert len(ScriptedTransport.sent) == 3
            waiting = Message.objects.filter(state=MessageState.QUEUED)
            assert waiting.count() == 2
            assert all(m.attempt_count == 0 for m in waiting)
            tm.move_to(T0 + dt.timedelta(seconds=61))
            deliver_due()
        assert len(ScriptedTransport.sent) == 5
        assert Message.objects.filter(state=MessageState.SENT).count() == 5

    def test_it_fails_permanently_without_an_address(self) -> None:
        person_less = Recipient(name="无账号")
        message = queue(channel=Channel.IN_APP, to=person_less, event="test", context={})
        deliver_due()
        message.refresh_from_db()
        assert message.state == MessageState.FAILED
        assert "no address" in message.last_error


class WorkerKickTest(TestCase):
    def test_it_enqueues_one_delivery_task_per_transaction(self) -> None:
        from django_tasks_db.models import DBTaskResult

        with self.captureOnCommitCallbacks(execute=True) as callbacks, transaction.atomic():
            for n in range(5):
                queue(channel=Channel.IN_APP, to=Recipient(name=f"r{n}"), event="test", context={})
        assert len(callbacks) == 1
        assert DBTaskResult.objects.count() == 1


class TextRenderingTest(TestCase):
    def test_it_renders_messages_as_plain_text_without_html_escapes(self) -> None:
        message = queue(
            channel=Channel.SMS,
            to=Recipient(name="张三"),
            event="item_received",
            context={"title": "A&B <通知> “引号”", "unit": "东城县"},
        )
        assert "A&B <通知>" in message.subject
        assert "&amp;" not in message.body

    def test_it_writes_in_the_offices_language_whatever_the_senders_page_speaks(self) -> None:
        from django.utils import translation

        with translation.override("en"):
            message = queue(
                channel=Channel.SMS, to=Recipient(name="张三"), event="test", context={}
            )
        assert "Xinbao test message" not in message.subject
        assert "信报" in message.subject
