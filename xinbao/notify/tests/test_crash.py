"""A sender killed between claiming a message and recording the outcome loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase, override_settings

from xinbao.notify.models import Channel, Message, MessageState
from xinbao.notify.services import Recipient, deliver_due, queue
from xinbao.notify.tests.peers import GenericSmsPeer, Received, Reply
from xinbao.org.models import Person, Unit, UnitClass, UnitKind

TOKEN = "gateway-token"
LEASE_SECONDS = 2


class HangingOnceSmsPeer(GenericSmsPeer):
    """Takes the first message, then hangs as if the network died before the answer."""

    def answer(self, request: Received) -> Reply:
        reply = super().answer(request)
        if len(self.received) == 1:
            return Reply(reply.status, reply.body, delay=60)
        return reply


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{s['NAME']}"


class CrashRecoveryTest(TransactionTestCase):
    def setUp(self) -> None:
        self.peer = HangingOnceSmsPeer(TOKEN).start()
        self.addCleanup(self.peer.stop)
        unit = Unit.objects.create(
            code="C09",
            name="南岭县委办公室",
            kind=UnitKind.COUNTY,
            unit_class=UnitClass.objects.create(name="一类"),
        )
        self.person = Person.objects.create(name="林一", unit=unit, phone="13900009999")
        self.sms = {"provider": "generic", "url": self.peer.url + "/sms", "token": TOKEN}

    def _start_sender(self) -> subprocess.Popen[bytes]:
        env = dict(
            os.environ,
            DATABASE_URL=database_url(),
            XINBAO_SMS_PROVIDER="generic",
            XINBAO_SMS_URL=self.sms["url"],
            XINBAO_SMS_TOKEN=TOKEN,
            XINBAO_NOTIFY_LEASE_SECONDS=str(LEASE_SECONDS),
            XINBAO_NOTIFY_HTTP_TIMEOUT="120",
        )
        return subprocess.Popen(
            [sys.executable, "manage.py", "notify_send", "--owner", "doomed"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def test_it_resends_at_most_once_after_the_sender_dies(self) -> None:
        message = queue(
            channel=Channel.SMS,
            to=Recipient.of_person(self.person),
            event="test",
            context={},
            dedupe_key="crash-test-1",
        )
        sender = self._start_sender()
        try:
            deadline = time.monotonic() + 60
            while not self.peer.received and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(self.peer.received) == 1, "the sender never reached the gateway"
            # Killed after the gateway took the message, before the outcome was recorded.
            sender.send_signal(signal.SIGKILL)
            sender.wait(timeout=10)
        finally:
            if sender.poll() is None:
                sender.kill()
        message.refresh_from_db()
        assert message.state == MessageState.SENDING
        assert message.lease_owner == "doomed"
        assert not message.attempts.exists()

        with override_settings(XINBAO_NOTIFY={"sms": self.sms, "lease_seconds": LEASE_SECONDS}):
            assert deliver_due(owner="survivor") == 0  # the lease still holds
            time.sleep(LEASE_SECONDS + 0.5)
            assert deliver_due(owner="survivor") == 1
            assert deliver_due(owner="survivor") == 0
        message.refresh_from_db()
        assert message.state == MessageState.SENT
        # Arrived twice at most, both times with the same id for the gateway to drop one.
        ids = [r.json()["id"] for r in self.peer.received]
        assert ids == ["crash-test-1", "crash-test-1"]
        assert Message.objects.count() == 1
