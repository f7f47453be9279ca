"""The logs an operator reads: a refused request in one line, and the scanner quiet at INFO
while its chores find nothing to do."""

from __future__ import annotations

import datetime as dt
import logging

import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from xinbao.scheduler.services import run_due
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 5, 4, 1, 0, tzinfo=dt.UTC)


class LoggingTest(BaseTestCase):
    def test_it_logs_a_refused_request_in_one_line(self) -> None:
        self.client.force_login(self.alice)
        with self.assertLogs("django.request", logging.WARNING) as logs:
            assert self.client.get(reverse("scheduler:chores")).status_code == 403
        (record,) = logs.records
        assert record.exc_info is None
        assert logs.output == [
            "WARNING:django.request:Forbidden (Permission denied): " + reverse("scheduler:chores")
        ]

    def test_it_logs_a_chore_at_info_only_when_it_did_something(self) -> None:
        with time_machine.travel(T0, tick=False):
            store = SessionStore()
            store.set_expiry(60)
            store.save()
        with (
            time_machine.travel(T0 + dt.timedelta(hours=1), tick=False),
            self.assertLogs("xinbao.scheduler.services", logging.DEBUG) as logs,
        ):
            run_due()
        levels = {r.getMessage(): r.levelname for r in logs.records}
        assert levels["accounts.clear_sessions: 1 expired sessions removed"] == "INFO"
        idle = [m for m in levels if m.startswith("notify.escalate:")]
        assert idle == ["notify.escalate: 0 handled"]
        assert levels[idle[0]] == "DEBUG"
        # The first audit checkpoint went to the audit administrator: the sender did something.
        assert levels["notify.deliver: 1 messages tried"] == "INFO"
