"""A task whose worker died mid-run is queued again (idempotent) or failed with the reason."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import time_machine
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinbao.audit.models import AuditEvent
from xinbao.scheduler.chores import REAP_TASKS
from xinbao.scheduler.models import WorkerHeartbeat
from xinbao.scheduler.services import Reaped, reap_orphaned_tasks, run_chore
from xinbao.scheduler.tests.processes import environment, until, xinbao
from xinbao.scheduler.tests.tasks import lines, wait_for_release, wait_for_release_once
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 5, 4, 1, 0, tzinfo=dt.UTC)


class KilledWorkerTest(TransactionTestCase):
    """Real worker processes: the first is killed with SIGKILL while its task runs."""

    def setUp(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        self.env = environment(XINBAO_WORKER_HEARTBEAT_SECONDS="0.2")

    def kill_while_running(self, result_id: str) -> None:
        first = xinbao(
            "worker",
            *("--worker-id", "first", "--interval", "0.1", "--no-startup-delay"),
            log=self.folder / "first.out",
            env=self.env,
        )
        try:
            assert until(lambda: lines(self.folder) == ["started"], 30), self.output("first")
            beat = WorkerHeartbeat.objects.get(worker_id="first")
            assert beat.pid == first.pid
            seen = beat.last_seen_at
            assert until(
                lambda: WorkerHeartbeat.objects.get(worker_id="first").last_seen_at > seen, 5
            )
        finally:
            first.kill()
            first.wait(10)
        task = DBTaskResult.objects.get(pk=result_id)
        assert task.status == TaskResultStatus.RUNNING
        assert task.worker_ids == ["first"]

    def output(self, worker_id: str) -> str:
        path = self.folder / f"{worker_id}.out"
        return path.read_text() if path.exists() else ""

    def finish_in_batch(self, worker_id: str) -> None:
        second = xinbao(
            "worker",
            *("--worker-id", worker_id, "--interval", "0.1", "--no-startup-delay", "--batch"),
            log=self.folder / f"{worker_id}.out",
            env=self.env,
        )
        try:
            assert second.wait(60) == 0, self.output(worker_id)
        finally:
            if second.poll() is None:
                second.kill()

    def test_it_requeues_an_idempotent_task_of_a_killed_worker_and_runs_it_once_more(
        self,
    ) -> None:
        result = wait_for_release.enqueue(str(self.folder))
        self.kill_while_running(str(result.id))

        # Well within the staleness, but the worker's process is gone from this machine.
        assert reap_orphaned_tasks() == Reaped(requeued=1)
        task = DBTaskResult.objects.get(pk=result.id)
        assert task.status == TaskResultStatus.READY
        assert not WorkerHeartbeat.objects.filter(worker_id="first").exists()
        event = AuditEvent.objects.get(action="task.requeued", object_id=str(result.id))
        assert event.actor_name == "system"
        assert event.summary["worker"] == "first"
        assert event.summary["task"] == "xinbao.scheduler.tests.tasks.wait_for_release"
        assert reap_orphaned_tasks() == Reaped()

        (self.folder / "release").touch()
        self.finish_in_batch("second")
        task.refresh_from_db()
        assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
        assert task.return_value == "done"
        assert task.worker_ids == ["first", "second"]
        assert lines(self.folder) == ["started", "started", "done"]
        assert DBTaskResult.objects.count() == 1
        # A worker that stopped cleanly takes its heartbeat with it.
        assert not WorkerHeartbeat.objects.exists()

    def test_it_fails_a_task_that_is_not_idempotent_when_the_next_worker_starts(self) -> None:
        result = wait_for_release_once.enqueue(str(self.folder))
        self.kill_while_running(str(result.id))
        (self.folder / "release").touch()

        self.finish_in_batch("second")  # reaps at its start, then finds nothing to run
        task = DBTaskResult.objects.get(pk=result.id)
        assert task.status == TaskResultStatus.FAILED
        assert task.exception_class_path == "xinbao.scheduler.services.WorkerDied"
        assert "worker died during the task" in task.traceback
        assert "'worker': 'first'" in task.traceback
        assert task.worker_ids == ["first"]
        assert lines(self.folder) == ["started"]
        event = AuditEvent.objects.get(action="task.failed", object_id=str(result.id))
        assert event.summary["reason"] == "worker died during the task"
        assert "0 tasks of dead workers queued again, 1 failed" in self.output("second")


@override_settings(XINBAO_WORKER_STALE_SECONDS=60)
class StalenessTest(TestCase):
    """Workers on another machine: only their heartbeat's age tells they are dead."""

    def claimed(self, worker_id: str, task: object = wait_for_release) -> DBTaskResult[Any, Any]:
        with time_machine.travel(T0, tick=False):
            result = task.enqueue("/nonexistent")  # type: ignore[attr-defined]  # a Task
            row = DBTaskResult.objects.get(pk=result.id)
            row.claim(worker_id)
        return row

    def beat(self, worker_id: str, at: dt.datetime) -> WorkerHeartbeat:
        return WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"last_seen_at": at},
            create_defaults={
                "host": "other-host",
                "pid": 4242,
                "scope": "other-host:pid:[1]",
                "started_at": T0,
                "last_seen_at": at,
            },
        )[0]

    def status(self, row: DBTaskResult[Any, Any]) -> str:
        row.refresh_from_db()
        return str(row.status)

    def test_it_waits_for_the_staleness_of_a_worker_on_another_host(self) -> None:
        dead = self.claimed("dead")
        alive = self.claimed("alive")
        self.beat("dead", T0)
        self.beat("alive", T0)
        with time_machine.travel(T0 + dt.timedelta(seconds=59), tick=False):
            assert reap_orphaned_tasks() == Reaped()
        self.beat("alive", T0 + dt.timedelta(seconds=30))
        with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
            assert run_chore(REAP_TASKS) == "1 tasks of dead workers queued again, 0 failed"
        assert self.status(dead) == TaskResultStatus.READY
        assert self.status(alive) == TaskResultStatus.RUNNING
        assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]

    def test_it_takes_a_task_of_a_worker_without_heartbeat_once_it_ran_past_the_staleness(
        self,
    ) -> None:
        ghost = self.claimed("ghost", wait_for_release_once)
        with time_machine.travel(T0 + dt.timedelta(seconds=59), tick=False):
            assert reap_orphaned_tasks() == Reaped()
        with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
            assert reap_orphaned_tasks() == Reaped(failed=1)
        ghost.refresh_from_db()
        assert ghost.status == TaskResultStatus.FAILED
        assert ghost.finished_at == T0 + dt.timedelta(seconds=61)
        assert "worker died during the task" in ghost.traceback

    def test_it_fails_an_idempotent_task_whose_worker_died_three_times(self) -> None:
        row = self.claimed("one")
        for worker_id in ("two", "three"):
            DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.READY)
            row.refresh_from_db()
            with time_machine.travel(T0, tick=False):
                row.claim(worker_id)
        with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
            assert reap_orphaned_tasks() == Reaped(failed=1)
        row.refresh_from_db()
        assert row.status == TaskResultStatus.FAILED
        assert "worker died during the task (3 times)" in row.traceback

    def test_it_uses_the_staleness_setting(self) -> None:
        row = self.claimed("slow")
        self.beat("slow", T0)
        with (
            override_settings(XINBAO_WORKER_STALE_SECONDS=300),
            time_machine.travel(T0 + dt.timedelta(seconds=120), tick=False),
        ):
            assert reap_orphaned_tasks() == Reaped()
        assert self.status(row) == TaskResultStatus.RUNNING


class WorkersPageTest(BaseTestCase):
    def test_it_shows_workers_and_the_tasks_of_dead_workers_to_the_system_administrator(
        self,
    ) -> None:
        result = wait_for_release_once.enqueue("/nonexistent")
        DBTaskResult.objects.get(pk=result.id).claim("w-gone")
        now = timezone.now() + dt.timedelta(minutes=2)
        with time_machine.travel(now, tick=False):
            assert reap_orphaned_tasks() == Reaped(failed=1)
            for worker_id, seen in (("w-live", now), ("w-late", now - dt.timedelta(seconds=90))):
                WorkerHeartbeat.objects.create(
                    worker_id=worker_id,
                    host="app1",
                    pid=101,
                    scope="elsewhere",
                    started_at=seen,
                    last_seen_at=seen,
                )
            self.client.force_login(self.sysadmin)
            page = self.client.get(reverse("scheduler:chores")).content.decode()
        assert 'id="workers"' in page
        assert "w-live" in page and "app1" in page
        assert page.count("Running</span>") == 1
        assert page.count("Not heard from</span>") == 1
        assert 'id="reaped-tasks"' in page
        assert "wait_for_release_once" in page
        assert "Failed: the worker died during the task" in page
        self.client.force_login(self.alice)
        assert self.client.get(reverse("scheduler:chores")).status_code == 403
