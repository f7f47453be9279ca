"""Two senders claiming at once take different messages: on PostgreSQL the pick skips the rows
another sender is claiming, instead of both picking the same ones and one of them stopping
with nothing (it took an empty claim for an empty outbox)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test import TransactionTestCase

from xinbao.notify.models import Channel, Message, MessageState
from xinbao.notify.services import Recipient, claim_batch, queue


class ClaimRaceTest(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("row locks (SKIP LOCKED) are PostgreSQL's; SQLite has one writer")
        for n in range(8):
            queue(channel=Channel.IN_APP, to=Recipient(name=f"r{n}"), event="test", context={})

    def test_it_claims_the_messages_another_sender_is_not_claiming(self) -> None:
        picked, release = threading.Event(), threading.Event()
        held: list[int] = []

        def other_sender() -> None:
            try:
                with transaction.atomic():
                    # Its pick of the first four, locked until its claim commits.
                    rows = Message.objects.select_for_update(no_key=True).order_by("pk")[:4]
                    held.extend(rows.values_list("pk", flat=True))
                    picked.set()
                    release.wait(10)
            finally:
                connections.close_all()

        thread = threading.Thread(target=other_sender)
        thread.start()
        try:
            assert picked.wait(10)
            claimed = claim_batch("sender-b", 8)
        finally:
            release.set()
            thread.join(10)
        # Not blocked behind the other pick, and none of its rows: the other four.
        assert len(held) == 4
        assert sorted(m.pk for m in claimed) == sorted(
            Message.objects.exclude(pk__in=held).values_list("pk", flat=True)
        )
        assert all(m.state == MessageState.SENDING for m in claimed)
