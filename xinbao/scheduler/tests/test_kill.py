"""The kill test: under the real `xinbao serve`, the worker (during a task), the scanner and the
web server's master are killed with SIGKILL in turn; each comes back, the web answers again, the
killed task completes once after the reap, a message queued before the kills reaches the SMS
gateway, and no row is lost."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.db.models import Max
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinbao.audit.models import AuditEvent
from xinbao.audit.services import verify
from xinbao.notify.models import Channel, Message, MessageState
from xinbao.notify.services import Recipient, queue
from xinbao.notify.tests.peers import GenericSmsPeer
from xinbao.org.models import Person, Unit, UnitClass, UnitKind
from xinbao.scheduler.models import Chore, WorkerHeartbeat
from xinbao.scheduler.tests.processes import environment, free_port, until
from xinbao.scheduler.tests.tasks import lines, wait_for_release

log = logging.getLogger(__name__)

TOKEN = "gateway-token"
SERVE_OPTIONS = ("--web-workers", "1", "--bind")
WHO = {"web": b"gunicorn", "worker": b"xinbao.cli\0worker\0", "scanner": b"xinbao.cli\0scan\0"}


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (http://127.0.0.1 only)
            return bool(response.status == 200)
    except OSError:
        return False


class KillTest(TransactionTestCase):
    def setUp(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        self.peer = GenericSmsPeer(TOKEN).start()
        self.addCleanup(self.peer.stop)
        unit = Unit.objects.create(
            code="C08",
            name="北岭县委办公室",
            kind=UnitKind.COUNTY,
            unit_class=UnitClass.objects.create(name="一类"),
        )
        self.person = Person.objects.create(name="林二", unit=unit, phone="13900008888")
        self.figures: dict[str, float] = {}

    def children(self, serve: subprocess.Popen[bytes]) -> dict[str, int]:
        """The supervisor's children by name (a name is missing while it waits to restart)."""
        path = Path(f"/proc/{serve.pid}/task/{serve.pid}/children")
        found: dict[str, int] = {}
        for pid in (int(p) for p in path.read_text().split()):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            for name, mark in WHO.items():
                if mark in cmdline:
                    found[name] = pid
        return found

    def kill_and_wait_for_restart(self, serve: subprocess.Popen[bytes], name: str) -> int:
        """SIGKILL the child ``name``; returns its pid once the supervisor started another."""
        before = self.children(serve)[name]
        started = time.monotonic()
        os.kill(before, signal.SIGKILL)
        assert until(lambda: self.children(serve).get(name, before) != before, 15), self.log()
        self.figures[f"{name} restarted"] = time.monotonic() - started
        assert f"{name} (pid {before}) exited with status -9" in self.log()
        return before

    def log(self) -> str:
        return (self.folder / "serve.log").read_text()

    def test_it_serves_again_and_loses_nothing_after_worker_scanner_and_web_are_killed(
        self,
    ) -> None:
        port = free_port()
        login = f"http://127.0.0.1:{port}{reverse('accounts:login')}"
        env = environment(
            XINBAO_SMS_PROVIDER="generic",
            XINBAO_SMS_URL=self.peer.url + "/sms",
            XINBAO_SMS_TOKEN=TOKEN,
            XINBAO_WORKER_HEARTBEAT_SECONDS="0.5",
        )
        with (self.folder / "serve.log").open("ab") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "xinbao.cli", "serve", *SERVE_OPTIONS, f"127.0.0.1:{port}"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            self.run_the_kills(serve, login)
            serve.send_signal(signal.SIGTERM)
            serve.wait(30)
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait()
        assert serve.returncode == 0, (self.folder / "serve.log").read_text()

    def run_the_kills(self, serve: subprocess.Popen[bytes], login: str) -> None:
        assert until(lambda: answers(login), 60), self.log()
        assert until(lambda: WorkerHeartbeat.objects.exists(), 30), self.log()

        # The worker, killed during a task.
        result = wait_for_release.enqueue(str(self.folder))
        assert until(lambda: lines(self.folder) == ["started"], 30), self.log()
        message = queue(
            channel=Channel.SMS,
            to=Recipient.of_person(self.person),
            event="test",
            context={},
            dedupe_key="kill-test-1",
        )
        killed_worker = self.kill_and_wait_for_restart(serve, "worker")
        (self.folder / "release").touch()

        def task_done() -> bool:
            return bool(DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL")

        killed = time.monotonic()
        assert until(task_done, 30), self.log()
        self.figures["killed task done"] = time.monotonic() - killed
        assert lines(self.folder) == ["started", "started", "done"]

        # The scanner: a new one runs the chores again.
        killed_at = timezone.now()
        self.kill_and_wait_for_restart(serve, "scanner")

        def scanned_since() -> bool:
            last = Chore.objects.aggregate(last=Max("last_started_at"))["last"]
            return last is not None and last > killed_at

        assert until(scanned_since, 30), self.log()
        self.figures["scanner running chores again"] = (timezone.now() - killed_at).total_seconds()

        # The web server's master: its workers go with it, a new one answers.
        self.kill_and_wait_for_restart(serve, "web")
        killed = time.monotonic()
        assert until(lambda: answers(login), 30), self.log()
        self.figures["web answering again"] = time.monotonic() - killed

        # Nothing lost: the message reached the gateway once, every task finished.
        def sent() -> bool:
            message.refresh_from_db()
            return message.state == MessageState.SENT

        assert until(sent, 30), self.log()
        assert [r.json()["id"] for r in self.peer.received] == ["kill-test-1"]
        assert Message.objects.count() == 1
        assert Person.objects.filter(pk=self.person.pk).exists()

        def all_tasks_finished() -> bool:
            statuses = set(DBTaskResult.objects.values_list("status", flat=True))
            return statuses == {TaskResultStatus.SUCCESSFUL}

        assert until(all_tasks_finished, 30), list(
            DBTaskResult.objects.values("task_path", "status")
        )
        task = DBTaskResult.objects.get(pk=result.id)
        assert task.return_value == "done"
        assert len(task.worker_ids) == 2
        assert AuditEvent.objects.filter(action="task.requeued", object_id=str(task.pk)).exists()
        assert not WorkerHeartbeat.objects.filter(pid=killed_worker).exists()
        assert verify() == []
        log.info("kill test, seconds: %s", {k: round(v, 1) for k, v in self.figures.items()})
