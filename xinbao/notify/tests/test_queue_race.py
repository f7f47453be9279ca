"""Two transactions that queue an equal message at once: one message is queued, and the
transaction that loses the race goes on with the existing message instead of failing."""

from __future__ import annotations

import threading
import time

from django.db import connection, transaction
from django.test import TransactionTestCase

from xinbao.accounts.models import User
from xinbao.notify.models import Channel, Message
from xinbao.notify.services import Recipient, queue
from xinbao.test import Personas


class QueueRaceTest(Personas, TransactionTestCase):
    def setUp(self) -> None:
        self.create_personas()

    def test_it_queues_an_equal_message_once_when_two_transactions_overlap(self) -> None:
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []
        queued: list[int] = []
        finished: list[str] = []

        def business(name: str) -> None:
            try:
                barrier.wait()
                with transaction.atomic():
                    message = queue(
                        channel=Channel.IN_APP,
                        to=Recipient.of_user(self.alice),
                        event="test",
                        context={},
                        dedupe_key="reminder-alice-2026-06-01",
                    )
                    queued.append(message.pk)
                    # The business transaction goes on for a while after queueing.
                    time.sleep(0.5)
                    User.objects.filter(pk=self.alice.pk).update(first_name=name)
                finished.append(name)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=business, args=(n,)) for n in ("甲", "乙")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(finished) == ["乙", "甲"]
        (message,) = Message.objects.filter(dedupe_key="reminder-alice-2026-06-01")
        assert queued == [message.pk, message.pk]
