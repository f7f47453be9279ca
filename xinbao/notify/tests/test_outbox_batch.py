"""A claimed batch is sent first, with no transaction open while a gateway answers, and its
attempts are then recorded in one transaction; in-app messages are made inside it."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinbao.notify import services
from xinbao.notify.models import Attempt, Channel, Message, MessageState, Notification
from xinbao.notify.tests.peers import GenericSmsPeer, Reply, TransportTestCase
from xinbao.notify.transports.sms import SmsTransport
from xinbao.org.models import Person


class BatchDeliveryTests(TransportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.gateway = self.serve(GenericSmsPeer(token="t0ken"))
        self.configure(
            sms={"provider": "generic", "url": f"{self.gateway.url}/send", "token": "t0ken"},
            batch=50,
        )
        self.people = [
            Person.objects.create(name=f"收信人{n}", unit=self.county_a, phone=f"1390000{n:04d}")
            for n in range(12)
        ]

    def test_it_sends_outside_any_transaction_and_records_the_batch_at_once(self) -> None:
        messages = [self.queue(Channel.SMS, person=p) for p in self.people]
        notes = [self.queue(Channel.IN_APP, person=self.people[0]) for _ in range(1)]
        self.people[0].user = self.alice
        self.people[0].save(update_fields=["user"])
        in_block: list[bool] = []
        real_send = SmsTransport.send
        # The test's own transaction wraps everything: count the blocks opened inside it.
        outer = len(connection.atomic_blocks)

        def spying(transport: SmsTransport, message: Message) -> Any:
            in_block.append(len(connection.atomic_blocks) > outer)
            return real_send(transport, message)

        with (
            mock.patch.object(SmsTransport, "send", spying),
            CaptureQueriesContext(connection) as ctx,
        ):
            assert services.deliver_due(owner="sender-a") == 13
        # Every SMS reached the gateway, none of them with a transaction open.
        assert in_block == [False] * 12
        assert sorted(r.json()["id"] for r in self.gateway.received) == sorted(
            m.dedupe_key for m in messages
        )
        assert set(
            Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("state", flat=True)
        ) == {MessageState.SENT}
        # One INSERT of the attempts for the whole batch, the SMS and the in-app one alike.
        inserts = [q for q in ctx.captured_queries if "INSERT INTO" in q["sql"]]
        attempt_inserts = [q for q in inserts if '"notify_attempt"' in q["sql"]]
        assert len(attempt_inserts) == 1
        assert Attempt.objects.filter(ok=True, by="sender-a").count() == 13
        notes[0].refresh_from_db()
        assert notes[0].state == MessageState.SENT
        assert Notification.objects.get(message=notes[0]).user == self.alice

    def test_it_records_each_outcome_of_a_mixed_batch(self) -> None:
        # The gateway answers the 2nd with a server error and the 3rd with a refusal.
        self.gateway.script = [
            Reply(200, {"ok": True, "id": "gw-a"}),
            Reply(500, {"ok": False, "error": "busy"}),
            Reply(400, {"ok": False, "error": "bad number"}),
        ]
        first, second, third = (self.queue(Channel.SMS, person=p) for p in self.people[:3])
        services.deliver_due(owner="sender-a")
        for m in (first, second, third):
            m.refresh_from_db()
        assert first.state == MessageState.SENT
        assert second.state == MessageState.QUEUED and second.attempt_count == 1
        assert "HTTP 500" in second.last_error
        assert third.state == MessageState.FAILED
        # The retry goes out once its backoff has passed, and nothing is sent twice.
        Message.objects.filter(pk=second.pk).update(next_attempt_at=second.created_at)
        services.deliver_due(owner="sender-b")
        second.refresh_from_db()
        assert second.state == MessageState.SENT
        ids = [r.json()["id"] for r in self.gateway.received]
        assert ids.count(first.dedupe_key) == 1 and ids.count(second.dedupe_key) == 2
