"""The audit log protected by the database, a key outside it, and signed checkpoints."""

from __future__ import annotations

import datetime as dt
import json
import stat
import tempfile
import threading
from collections.abc import Callable
from email.message import EmailMessage
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinbao.audit import checkpoints
from xinbao.audit.checkpoints import Checkpoint
from xinbao.audit.guard import lifted
from xinbao.audit.models import AuditError, AuditEvent, ChainHead
from xinbao.audit.services import (
    Event,
    record,
    record_history,
    record_many,
    verify,
    write_checkpoint,
)
from xinbao.audit.signing import audit_key
from xinbao.lib.chores import chores
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.peers import SmtpPeer, TransportTestCase
from xinbao.test import BaseTestCase


def _refused(sql: str, params: list[Any] | None = None) -> str:
    """Run raw SQL that the database must refuse; the refusal's text."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return str(refusal.value)


def _rewrite_chain_without_key(action: str) -> None:
    """An intruder with the database owner's rights and no key: every row's content changed,
    every plain SHA-256 and link recomputed, the head moved to the new end."""
    with lifted(connection), connection.cursor() as cursor:
        prev = "0" * 64
        for event in AuditEvent.objects.order_by("seq"):
            event.action = action
            event.prev_hash = prev
            event.hash = event.compute_hash()
            cursor.execute(
                "UPDATE audit_auditevent SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.action, event.prev_hash, event.hash, event.pk],
            )
            prev = event.hash
        cursor.execute("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", [prev])


class DatabaseGuardTest(BaseTestCase):
    def _events(self, n: int = 3) -> list[AuditEvent]:
        return [record(actor=self.alice, action=f"test.{i}", summary={"n": i}) for i in range(n)]

    def test_it_refuses_raw_update_and_delete_of_audit_rows(self) -> None:
        event = self._events()[1]
        refusal = _refused(
            "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.forged", event.pk]
        )
        assert "append-only" in refusal
        assert "append-only" in _refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        assert "append-only" in _refused("DELETE FROM audit_auditevent")
        assert AuditEvent.objects.get(pk=event.pk).action == "test.1"
        assert verify() == []

    def test_it_refuses_to_remove_or_reset_the_chain_head(self) -> None:
        self._events()
        # (PostgreSQL names the table in the append-only refusal of a deletion.)
        assert "audit" in _refused("DELETE FROM audit_chainhead")
        reset = "UPDATE audit_chainhead SET count = 0, last_hash = %s"
        assert "chain head only moves forward" in _refused(reset, ["0" * 64])
        assert ChainHead.objects.get(pk=1).count == 3

    def test_it_moves_the_head_only_to_an_event_that_exists_with_its_hash(self) -> None:
        events = self._events(3)
        head = "UPDATE audit_chainhead SET count = %s, last_hash = %s WHERE id = 1"
        # One step further than the last event, or a forged hash: refused.
        assert "chain head only moves forward" in _refused(head, [4, "f" * 64])
        assert "chain head only moves forward" in _refused(head, [3, "f" * 64])
        # Back to an earlier event, even with its own hash: refused.
        assert "chain head only moves forward" in _refused(head, [2, events[1].hash])
        # Many events appended at once move the head once, to the last of them.
        rows = record_many([Event(actor=self.alice, action=f"test.many.{i}") for i in range(5)])
        assert ChainHead.objects.get(pk=1).count == rows[-1].seq == 8
        assert ChainHead.objects.get(pk=1).last_hash == rows[-1].hash
        assert verify() == []

    def test_it_writes_history_at_its_own_times_saying_when_it_was_written(self) -> None:
        then = timezone.now() - dt.timedelta(days=400)
        rows = record_history(
            [(then, Event(actor=self.alice, action="test.old", summary={"n": 1}))]
        )
        row = AuditEvent.objects.get(seq=rows[0].seq)
        assert row.at == then and row.summary["n"] == 1
        # When it was really appended stays in the signed summary.
        written = dt.datetime.fromisoformat(row.summary["written_at"])
        assert timezone.now() - written < dt.timedelta(minutes=1)
        assert verify() == []

    def test_it_refuses_truncate_on_postgresql(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("SQLite has no TRUNCATE; its DELETE without WHERE is refused above")
        self._events()
        with connection.cursor() as cursor:
            # TRUNCATE waits for no deferred check of this test's transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert "append-only" in _refused("TRUNCATE audit_auditevent CASCADE")
        assert "append-only" in _refused("TRUNCATE audit_chainhead")
        assert AuditEvent.objects.count() == 3

    def test_it_writes_each_event_once_with_its_hash(self) -> None:
        self._events(1)
        with CaptureQueriesContext(connection) as queries:
            event = record(actor=self.alice, action="test.once")
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if "audit_auditevent" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
        ]
        assert len(writes) == 1
        assert writes[0].lstrip().upper().startswith("INSERT")
        stored = AuditEvent.objects.get(pk=event.pk)
        assert stored.seq == 2
        assert stored.hash == stored.compute_hash() == event.hash
        assert verify() == []

    def test_it_keeps_verifying_events_written_before_the_signature(self) -> None:
        # Rows as the first version wrote them: the primary key hashed, no signature.
        with lifted(connection):
            prev = "0" * 64
            for place in (1, 2):
                old = AuditEvent(
                    at=self.alice.date_joined,
                    actor_name="system",
                    action=f"test.old{place}",
                    seq=place,
                    version=1,
                    prev_hash=prev,
                    hash=f"pending{place}",
                )
                old.save(force_insert=True)
                old.hash = old.compute_hash()
                AuditEvent.objects.filter(pk=old.pk).update(hash=old.hash)
                prev = old.hash
            ChainHead.objects.create(pk=1, count=2, last_hash=prev)
        new = record(actor=self.alice, action="test.new")
        assert (new.seq, new.version, new.prev_hash) == (3, 2, prev)
        assert verify() == []
        with lifted(connection):
            AuditEvent.objects.filter(seq=1).update(action="test.forged")
        assert [p.reason for p in verify()] == ["content does not match its hash: row edited"]

    def test_it_reports_a_row_removed_in_the_middle_once(self) -> None:
        events = self._events(5)
        with lifted(connection):
            AuditEvent.objects.filter(pk=events[1].pk).delete()
        problems = verify()
        assert [(p.event_id, p.reason) for p in problems] == [
            (events[2].pk, "link broken: a row before it was removed or edited"),
            (None, "chain head disagrees with the table: rows removed"),
        ]


class KeyedSignatureTest(BaseTestCase):
    def test_it_detects_the_whole_chain_rewritten_with_plain_hashes(self) -> None:
        events = [record(actor=self.alice, action=f"test.{n}") for n in range(3)]
        _rewrite_chain_without_key("test.forged")
        assert set(AuditEvent.objects.values_list("action", flat=True)) == {"test.forged"}
        problems = verify()
        assert [p.event_id for p in problems] == [e.pk for e in events]
        assert all("signature does not match" in p.reason for p in problems)
        err = StringIO()
        with pytest.raises(CommandError, match="broken"):
            call_command("audit", "verify", stdout=StringIO(), stderr=err)
        assert "rewritten without the key" in err.getvalue()

    def test_it_keeps_the_key_in_a_private_file_outside_the_database(self) -> None:
        key_file = Path(self.tmp) / "keys" / "audit.key"
        with override_settings(XINBAO_AUDIT_KEY_FILE=key_file):
            event = record(actor=self.alice, action="test.keyed")
            assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
            key = audit_key(create=False)
            assert len(key) == 32
            assert event.mac == event.compute_mac(key)
            assert verify() == []
            stored = json.dumps(list(AuditEvent.objects.values()), default=str)
            assert key.hex() not in stored
            # Another key cannot vouch for the events: they were not signed with it.
            key_file.unlink()
            audit_key(create=True)
            assert "signature does not match" in verify()[0].reason
            key_file.unlink()
            [missing] = verify()
            assert missing.reason.startswith("signatures of 1 events not checked: audit key file")

    def setUp(self) -> None:
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name


class CheckpointTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # A fresh folder per test (the project's conftest).
        self.folder = checkpoints.folder()

    def _events(self, n: int = 3) -> list[AuditEvent]:
        return [record(actor=self.alice, action=f"test.{i}") for i in range(n)]

    def test_it_writes_a_signed_checkpoint_daily_and_hands_it_on(self) -> None:
        events = self._events()
        received: list[tuple[Checkpoint, Path]] = []

        def listener(cp: Checkpoint, path: Path) -> None:
            received.append((cp, path))

        checkpoints.on_checkpoint(listener)
        self.addCleanup(checkpoints.remove_listener, listener)
        chore = chores()["audit.checkpoint"]
        assert chore.interval.total_seconds() == 24 * 3600
        assert chore.run is not None
        assert "event 3" in chore.run()
        [path] = list(self.folder.iterdir())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        saved = json.loads(path.read_text())
        assert (saved["seq"], saved["last_hash"]) == (3, events[-1].hash)
        cp = Checkpoint.from_json(path.read_text())
        assert cp.is_signed_by(audit_key(create=False))
        assert received == [(cp, path)]
        out = StringIO()
        call_command("audit", "checkpoint", stdout=out)
        assert "checkpoint at event 3" in out.getvalue()
        assert len(list(self.folder.iterdir())) == 2
        assert verify() == []

    def test_it_reports_a_chain_shorter_than_a_checkpoint(self) -> None:
        events = self._events()
        call_command("audit", "checkpoint", stdout=StringIO())
        # The last event removed and the head moved back to match: the table alone agrees.
        with lifted(connection):
            AuditEvent.objects.filter(pk=events[-1].pk).delete()
            ChainHead.objects.filter(pk=1).update(count=2, last_hash=events[1].hash)
        [problem] = verify()
        assert "chain shorter than checkpoint" in problem.reason

    def test_it_reports_a_checkpoint_hash_no_longer_in_the_chain(self) -> None:
        self._events()
        call_command("audit", "checkpoint", stdout=StringIO())
        # Someone with the application's rights and key empties the log and writes a new one.
        with lifted(connection):
            AuditEvent.objects.all().delete()
            ChainHead.objects.all().delete()
        self._events()
        [problem] = verify()
        assert "no longer has the hash it saw" in problem.reason

    def test_it_reports_a_forged_checkpoint(self) -> None:
        self._events()
        self.folder.mkdir(parents=True)
        forged = Checkpoint(seq=1, last_hash="f" * 64, at=self.alice.date_joined, mac="0" * 64)
        (self.folder / "checkpoint-20260101T000000000000Z-1.json").write_text(forged.to_json())
        [problem] = verify()
        assert "not signed by the audit key" in problem.reason

    def test_it_reports_a_removed_chain_head(self) -> None:
        self._events()
        with lifted(connection):
            ChainHead.objects.all().delete()
        assert [p.reason for p in verify()] == ["chain head missing: it was removed"]
        # And no new chain is started behind the old one's back.
        with pytest.raises(AuditError, match="chain head is missing"):
            record(actor=self.alice, action="test.after")

    def test_it_reports_a_reset_chain_head(self) -> None:
        self._events()
        with lifted(connection):
            ChainHead.objects.filter(pk=1).update(count=0, last_hash="0" * 64)
        assert [p.reason for p in verify()] == ["chain head disagrees with the table: rows removed"]


class SnapshotTest(TransactionTestCase):
    def test_it_verifies_one_snapshot_while_events_are_appended(self) -> None:
        for n in range(5):
            record(actor=None, actor_name="system", action=f"test.{n}")
        appended: list[int] = []
        failures: list[BaseException] = []

        def writer() -> None:
            try:
                appended.append(record(actor=None, actor_name="system", action="test.w").seq)
            except BaseException as exc:  # reported by the test's assertion below
                failures.append(exc)
            finally:
                connections.close_all()

        def append_after_each_read(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            result = execute(sql, params, many, context)
            if "audit_" in sql:
                # Another connection appends and commits while verify is between two reads.
                thread = threading.Thread(target=writer)
                thread.start()
                thread.join()
            return result

        with connection.execute_wrapper(append_after_each_read):
            problems = verify()
        assert failures == []
        assert len(appended) >= 2
        assert problems == []
        assert AuditEvent.objects.count() == 5 + len(appended)
        assert verify() == []


class FlushTest(TransactionTestCase):
    def test_it_flushes_a_test_database_and_keeps_the_guard(self) -> None:
        record(actor=None, actor_name="system", action="test.before")
        call_command("flush", interactive=False, verbosity=0)
        assert not AuditEvent.objects.exists()
        assert not ChainHead.objects.exists()
        event = record(actor=None, actor_name="system", action="test.after")
        assert event.seq == 1
        assert "append-only" in _refused("DELETE FROM audit_auditevent")

    def test_it_refuses_to_flush_the_audit_log_of_another_database(self) -> None:
        record(actor=None, actor_name="system", action="test.kept")
        with (
            mock.patch.dict(connection.settings_dict, {"NAME": "xinbao", "TEST": {}}),
            pytest.raises(CommandError, match="couldn't be flushed"),
        ):
            call_command("flush", interactive=False, verbosity=0)
        assert AuditEvent.objects.filter(action="test.kept").exists()


class CheckpointToAdministratorsTest(TransportTestCase):
    def test_it_sends_each_checkpoint_to_the_audit_administrators(self) -> None:
        smtp = SmtpPeer()
        self.enterContext(smtp.running())
        self.configure(
            email={"host": "127.0.0.1", "port": smtp.port, "security": "none", "timeout": 1}
        )
        self.auditor.email = "shenji@office.gov.cn"
        self.auditor.save(update_fields=["email"])
        record(actor=self.alice, action="test.one")
        checkpoint, path = write_checkpoint()
        assert path.exists()
        deliver_due()
        [mail] = smtp.received
        assert mail.rcpt_tos == ["shenji@office.gov.cn"]
        body = mail.parsed().get_body(("plain",))
        assert isinstance(body, EmailMessage)
        text = body.get_content()
        sent = Checkpoint.from_json(text[text.index("{") :])
        assert sent == checkpoint
        assert sent.is_signed_by(audit_key(create=False))
        [bell] = Notification.objects.filter(user=self.auditor)
        assert checkpoint.last_hash in bell.body
        assert not Notification.objects.exclude(user=self.auditor).exists()


class MigrationTest(TransactionTestCase):
    def test_it_keeps_events_written_before_the_migration_verifying(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([("audit", "0001_initial")])
        try:
            old = executor.loader.project_state([("audit", "0001_initial")]).apps
            OldEvent = old.get_model("audit", "AuditEvent")
            prev = "0" * 64
            for n in range(3):
                # As the first version's record() wrote them: insert, then hash with the id.
                row = OldEvent.objects.create(
                    at=timezone.now(), actor_name="system", action=f"test.old{n}", prev_hash=prev
                )
                as_hashed = AuditEvent(
                    pk=row.pk, at=row.at, actor_name="system", action=row.action, version=1
                )
                as_hashed.prev_hash = prev
                prev = as_hashed.compute_hash()
                OldEvent.objects.filter(pk=row.pk).update(hash=prev)
            old.get_model("audit", "ChainHead").objects.create(pk=1, count=3, last_hash=prev)
        finally:
            executor = MigrationExecutor(connection)
            executor.migrate(executor.loader.graph.leaf_nodes())
        assert list(AuditEvent.objects.order_by("seq").values_list("seq", "version")) == [
            (1, 1),
            (2, 1),
            (3, 1),
        ]
        assert verify() == []
        event = record(actor=None, actor_name="system", action="test.new")
        assert (event.seq, event.version, event.prev_hash) == (4, 2, prev)
        assert verify() == []
        assert "append-only" in _refused("DELETE FROM audit_auditevent")
