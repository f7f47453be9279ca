"""Which tasks may run again from the start after their worker died mid-run.

A task is marked with ``@idempotent`` (above ``@task()``) when running it a second time, after
a first run that stopped anywhere, does no harm: it re-reads what it needs and writes each
result once. The reaper (``services.reap_orphaned_tasks``) re-queues such a task of a dead
worker and fails any other with the reason.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, TypeVar

from django_tasks.base import Task

_IDEMPOTENT: set[str] = set()

TaskT = TypeVar("TaskT", bound=Task[Any, Any])


def idempotent(task: TaskT) -> TaskT:
    """Mark ``task`` as safe to run again from the start."""
    _IDEMPOTENT.add(task.module_path)
    return task


def is_idempotent(task_path: str) -> bool:
    """Whether the task stored under ``task_path`` (``DBTaskResult.task_path``) is marked; a
    task whose module no longer imports is not."""
    module, _, _name = task_path.rpartition(".")
    try:
        import_module(module)  # runs the module's decorators, which mark its tasks
    except ImportError:
        return False
    return task_path in _IDEMPOTENT
