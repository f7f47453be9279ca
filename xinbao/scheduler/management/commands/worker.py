"""`xinbao worker`: django-tasks-db's worker with a heartbeat, reaping dead workers' tasks first.

Use it instead of ``db_worker`` (``xinbao serve`` and the systemd unit do): a task claimed by
a worker without a heartbeat is only recognised as orphaned once it has run for longer than
``XINBAO_WORKER_STALE_SECONDS``.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from xinbao.scheduler.services import reap_orphaned_tasks
from xinbao.scheduler.workers import Heartbeat

log = logging.getLogger("xinbao.worker")


class Command(DbWorkerCommand):
    help = (
        "Run a task worker that keeps a heartbeat; at its start, tasks left running by dead "
        "workers are queued again (idempotent tasks) or failed. Options as db_worker's."
    )

    def handle(self, **options: Any) -> None:
        # The heartbeat must come from the process that runs the tasks, not from a reloader's
        # parent process.
        options["reload"] = False
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            reaped = reap_orphaned_tasks()
            if reaped.requeued or reaped.failed:
                log.warning("worker %s starting: %s", heartbeat.worker_id, reaped)
            super().handle(**options)
        finally:
            heartbeat.stop()
