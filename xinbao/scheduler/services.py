"""The scanner: claim due chores with a conditional UPDATE and run them, each row of a per-row
chore in its own transaction; a row that fails is recorded and retried after a backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import traceback
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinbao.audit.services import record
from xinbao.lib.chores import ChoreSpec, Key, chores
from xinbao.scheduler import workers
from xinbao.scheduler.idempotent import is_idempotent
from xinbao.scheduler.models import Chore, ChoreFailure, WorkerHeartbeat

log = logging.getLogger(__name__)


#: Backoff of a failed row: one minute after the first failure, doubling up to an hour.
RETRY_FIRST = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=1)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a row that has failed ``attempts`` times waits before it is tried again."""
    doublings = min(max(attempts - 1, 0), 12)  # 2**12 minutes is past the limit already
    delay: dt.timedelta = RETRY_FIRST * (2**doublings)
    return min(delay, RETRY_MAX)


def sync_chores() -> None:
    """Make sure every registered chore has a row (new ones are due at once) with the interval
    its code says now."""
    now = timezone.now()
    rows = {c.name: c for c in Chore.objects.all()}
    for spec in chores().values():
        row = rows.get(spec.name)
        if row is None:
            Chore.objects.get_or_create(
                name=spec.name, defaults={"interval": spec.interval, "due_at": now}
            )
        elif row.interval != spec.interval:
            Chore.objects.filter(pk=row.pk).update(interval=spec.interval)


def claim(chore: Chore) -> bool:
    """Move the chore's due time forward only if nobody else did first."""
    now = timezone.now()
    won = Chore.objects.filter(pk=chore.pk, due_at=chore.due_at).update(
        due_at=now + chore.interval, last_started_at=now, runs=chore.runs + 1
    )
    return won == 1


def _error_text() -> str:
    return traceback.format_exc()[-4000:]


def _record_failure(chore: Chore, key: Key | None, error: str) -> ChoreFailure:
    """Count a failed attempt of one row (or of a whole chore) and set its next retry."""
    now = timezone.now()
    with transaction.atomic():
        failure = (
            ChoreFailure.objects.select_for_update(no_key=True).filter(chore=chore, key=key).first()
        )
        if failure is None:
            failure = ChoreFailure(chore=chore, key=key, first_failed_at=now, attempts=0)
        failure.attempts += 1
        failure.error = error
        failure.last_failed_at = now
        failure.next_retry_at = now + retry_delay(failure.attempts)
        failure.save()
    return failure


def _clear_failure(chore: Chore, key: Key | None) -> None:
    ChoreFailure.objects.filter(chore=chore, key=key).delete()


def _run_rows(chore: Chore, spec: ChoreSpec) -> tuple[str, str]:
    """Handle each due row in its own transaction; return the summary and the last error."""
    assert spec.due is not None and spec.handle is not None  # a per-row spec has both
    now = timezone.now()
    failures = {f.key: f for f in ChoreFailure.objects.filter(chore=chore, key__isnull=False)}
    keys: list[Key] = list(dict.fromkeys(spec.due()))
    listed = set(keys)
    # A failed row the chore no longer lists is still handed back when its retry is due:
    # ``handle`` does nothing for a row that is no longer due, and its failure then clears.
    keys += [k for k, f in failures.items() if k is not None and k not in listed]
    handled = failed = waiting = deferred = 0
    last_error = ""
    started = time.monotonic()
    budget = spec.budget.total_seconds() if spec.budget is not None else None
    for index, key in enumerate(keys):
        if budget is not None and time.monotonic() - started >= budget:
            deferred = len(keys) - index
            break
        failure = failures.get(key)
        if failure is not None and failure.next_retry_at > now:
            waiting += 1
            continue
        try:
            if spec.atomic:
                with transaction.atomic():
                    spec.handle(key)
            else:
                spec.handle(key)
        except Exception:
            log.exception("chore %s failed on row %s", chore.name, key)
            last_error = _error_text()
            _record_failure(chore, key, last_error)
            failed += 1
            continue
        if failure is not None:
            _clear_failure(chore, key)
            log.info("chore %s: row %s passed after %d failures", chore.name, key, failure.attempts)
        handled += 1
    summary = f"{handled} handled"
    if failed:
        summary += f", {failed} failed"
    if waiting:
        summary += f", {waiting} waiting to be retried"
    if deferred:
        summary += f", {deferred} left for the next run (time budget spent)"
    return summary, last_error


def _run_whole(chore: Chore, spec: ChoreSpec) -> tuple[str, str]:
    """Run a chore of one unit of work (in one transaction unless it keeps its own claims); a
    failure is recorded and the chore retried after a backoff."""
    assert spec.run is not None  # a whole chore has run
    try:
        if spec.atomic:
            with transaction.atomic():
                summary = spec.run()
        else:
            summary = spec.run()
    except Exception:
        log.exception("chore %s failed", chore.name)
        error = _error_text()
        failure = _record_failure(chore, None, error)
        # A daily chore that failed is tried again after the backoff, not a day later.
        Chore.objects.filter(pk=chore.pk, due_at__gt=failure.next_retry_at).update(
            due_at=failure.next_retry_at
        )
        return "failed", error
    _clear_failure(chore, None)
    return summary, ""


def _run(chore: Chore, spec: ChoreSpec) -> str:
    summary, error = _run_rows(chore, spec) if spec.per_row else _run_whole(chore, spec)
    Chore.objects.filter(pk=chore.pk).update(last_finished_at=timezone.now(), last_error=error)
    return summary


def _idle(summary: str) -> bool:
    """True for a summary whose every count is zero ("0 messages tried"): nothing was done."""
    counts = re.findall(r"\d+", summary)
    return bool(counts) and all(int(c) == 0 for c in counts)


def run_due() -> list[str]:
    """Run every chore that is due; return what each said. Each summary is logged, at INFO
    when the chore did something and at DEBUG when it found nothing to do."""
    sync_chores()
    specs = chores()
    said: list[str] = []
    for chore in Chore.objects.filter(due_at__lte=timezone.now()):
        spec = specs.get(chore.name)
        if spec is None or not claim(chore):
            continue
        summary = _run(chore, spec)
        log.log(logging.DEBUG if _idle(summary) else logging.INFO, "%s: %s", chore.name, summary)
        said.append(f"{chore.name}: {summary}")
    return said


def run_chore(name: str) -> str:
    """Run one registered chore now, due or not (tests, and an operator in a shell); its due
    time is left as it is. Returns its summary."""
    spec = chores()[name]
    chore, _created = Chore.objects.get_or_create(
        name=name, defaults={"interval": spec.interval, "due_at": timezone.now()}
    )
    return _run(chore, spec)


# --- The reaper: tasks left RUNNING by a worker that died -----------------------------------

#: The reason a task of a dead worker is failed with (stored in English, like a traceback).
WORKER_DIED = "worker died during the task"
#: An idempotent task whose worker died this many times is failed, not queued once more: it is
#: likely the task itself that kills its worker (memory, a crash in a C library).
MAX_TASK_ATTEMPTS = 3


class WorkerDied(Exception):
    """What a task of a dead worker failed with (its class path is stored on the result)."""


@dataclass(frozen=True)
class Reaped:
    requeued: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.requeued} tasks of dead workers queued again, {self.failed} failed"


def _where(worker_id: str, beat: WorkerHeartbeat | None) -> dict[str, str | int | None]:
    if beat is None:
        return {"worker": worker_id, "host": None, "pid": None, "last_seen": None}
    return {
        "worker": worker_id,
        "host": beat.host,
        "pid": beat.pid,
        "last_seen": beat.last_seen_at.isoformat(),
    }


def _reap_one(pk: uuid.UUID, worker_id: str, beat: WorkerHeartbeat | None) -> str | None:
    """Queue one task of a dead worker again, or fail it; None when someone else did first."""
    with transaction.atomic():
        task = DBTaskResult.objects.select_for_update(no_key=True).filter(pk=pk).first()
        if (
            task is None
            or task.status != TaskResultStatus.RUNNING
            or task.worker_ids[-1:] != [worker_id]
        ):
            return None
        attempts = len(task.worker_ids)
        where = _where(worker_id, beat)
        if is_idempotent(task.task_path) and attempts < MAX_TASK_ATTEMPTS:
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            action, reason = "task.requeued", ""
        else:
            reason = WORKER_DIED if attempts == 1 else f"{WORKER_DIED} ({attempts} times)"
            task.status = TaskResultStatus.FAILED
            task.finished_at = timezone.now()
            task.return_value = None
            task.exception_class_path = f"{WorkerDied.__module__}.{WorkerDied.__qualname__}"
            task.traceback = f"{task.exception_class_path}: {reason}: {where}\n"
            task.save(
                update_fields=[
                    "status",
                    "finished_at",
                    "return_value",
                    "exception_class_path",
                    "traceback",
                ]
            )
            action = "task.failed"
        record(
            actor=None,
            actor_name="system",
            action=action,
            obj=task,
            summary={"task": task.task_path, "attempts": attempts, "reason": reason, **where},
        )
    log.warning(
        "task %s (%s) of dead worker %s: %s",
        task.pk,
        task.task_path,
        worker_id,
        "queued again" if action == "task.requeued" else reason,
    )
    return action


def reap_orphaned_tasks(*, now: dt.datetime | None = None) -> Reaped:
    """Re-queue (idempotent tasks) or fail (the others, with ``WORKER_DIED``) every task left
    RUNNING by a dead worker, each in its own transaction with an audit event; then forget the
    dead workers.

    A worker is dead when its heartbeat is older than ``XINBAO_WORKER_STALE_SECONDS`` or its
    process is gone from this machine. A task whose worker has no heartbeat row at all (a
    plain ``db_worker``, or a row already forgotten) is taken once it has run for longer than
    the staleness. Runs in the scanner (``scheduler.reap_tasks``) and when a worker starts.
    """
    now = now or timezone.now()
    scope = workers.local_scope()
    beats = {b.worker_id: b for b in WorkerHeartbeat.objects.all()}
    dead = {w for w, b in beats.items() if workers.is_dead(b, now, scope=scope)}
    cutoff = now - workers.stale_after()
    requeued = failed = 0
    running = DBTaskResult.objects.running().only("id", "worker_ids", "started_at")
    for task in running.order_by("started_at"):
        worker_id = task.worker_ids[-1] if task.worker_ids else ""
        beat = beats.get(worker_id)
        if beat is None:
            if task.started_at is None or task.started_at >= cutoff:
                continue
        elif worker_id not in dead:
            continue
        action = _reap_one(task.pk, worker_id, beat)
        requeued += action == "task.requeued"
        failed += action == "task.failed"
    WorkerHeartbeat.objects.filter(worker_id__in=dead, last_seen_at__lte=now).delete()
    return Reaped(requeued=requeued, failed=failed)
