from __future__ import annotations

import datetime as dt
from io import StringIO

import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import TestCase

from xinbao.lib import chores
from xinbao.scheduler.models import Chore, ChoreFailure
from xinbao.scheduler.services import claim, run_due, sync_chores

T0 = dt.datetime(2026, 5, 4, 1, 0, tzinfo=dt.UTC)


class ScannerTest(TestCase):
    def test_it_registers_every_chore_due_at_once(self) -> None:
        with time_machine.travel(T0, tick=False):
            sync_chores()
        names = set(Chore.objects.values_list("name", flat=True))
        assert {"audit.verify", "accounts.clear_sessions", "items.sweep_orphan_files"} <= names
        assert all(c.due_at == T0 for c in Chore.objects.all())

    def test_it_follows_a_chore_whose_interval_changed_in_the_code(self) -> None:
        chores.register("test.every", dt.timedelta(minutes=5), run=lambda: "done")
        self.addCleanup(chores.unregister, "test.every")
        sync_chores()
        chores.register("test.every", dt.timedelta(minutes=10), run=lambda: "done")
        sync_chores()
        assert Chore.objects.get(name="test.every").interval == dt.timedelta(minutes=10)

    def test_it_lets_only_one_scanner_claim_a_run(self) -> None:
        with time_machine.travel(T0, tick=False):
            sync_chores()
            chore = Chore.objects.get(name="audit.verify")
            stale_copy = Chore.objects.get(pk=chore.pk)
            assert claim(chore) is True
            # A second scanner holding the same due time loses the conditional update.
            assert claim(stale_copy) is False
        chore.refresh_from_db()
        assert chore.due_at == T0 + dt.timedelta(hours=24)
        assert chore.runs == 1

    def test_it_runs_due_chores_once_until_they_are_due_again(self) -> None:
        with time_machine.travel(T0, tick=False):
            store = SessionStore()
            store.set_expiry(60)
            store.save()
        with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
            said = run_due()
            assert any(line.startswith("accounts.clear_sessions: 1 expired") for line in said)
            assert not Session.objects.exists()
            assert run_due() == []
        with time_machine.travel(T0 + dt.timedelta(hours=26), tick=False):
            said = run_due()
            assert any(line.startswith("audit.verify: chain intact") for line in said)

    def test_it_records_a_failing_chore_and_goes_on(self) -> None:
        def boom() -> str:
            raise RuntimeError("boom")

        chores.register("test.boom", dt.timedelta(minutes=5), run=boom)
        try:
            with time_machine.travel(T0, tick=False):
                said = run_due()
        finally:
            chores.unregister("test.boom")
        assert "test.boom: failed" in said
        chore = Chore.objects.get(name="test.boom")
        assert "RuntimeError: boom" in chore.last_error
        failure = ChoreFailure.objects.get(chore=chore, key=None)
        assert "RuntimeError: boom" in failure.error
        # Retried after the backoff, not a whole interval later.
        assert chore.due_at == failure.next_retry_at == T0 + dt.timedelta(minutes=1)
        assert any(line.startswith("audit.verify") for line in said)

    def test_it_scans_once_from_the_command_line(self) -> None:
        out = StringIO()
        call_command("scan", "--once", stdout=out)
        assert "audit.verify" in out.getvalue()
