"""Background delivery. The task takes no ids: it sends whatever is due."""

from __future__ import annotations

from django_tasks import task

from xinbao.notify.services import deliver_due
from xinbao.scheduler.idempotent import idempotent


# Idempotent: it sends what is due, each message under a lease; a message whose send was cut
# off is sent again once its lease ends, with the same id for the gateway to drop the copy.
@idempotent
@task()
def deliver_due_task() -> int:
    return deliver_due()
