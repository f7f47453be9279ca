"""Background delivery. The task takes no ids: it sends whatever is due."""

from __future__ import annotations

from django_tasks import task

from xinbao.notify.services import deliver_due


@task()
def deliver_due_task() -> int:
    return deliver_due()
