"""The scanner's own chore: the reaper of tasks left running by dead workers."""

from __future__ import annotations

import datetime as dt

from xinbao.lib.chores import register
from xinbao.scheduler.services import reap_orphaned_tasks

REAP_TASKS = "scheduler.reap_tasks"


def reap_tasks() -> str:
    return str(reap_orphaned_tasks())


# Each task is reaped in its own transaction, so the chore keeps none of its own.
register(REAP_TASKS, dt.timedelta(seconds=15), run=reap_tasks, atomic=False)
