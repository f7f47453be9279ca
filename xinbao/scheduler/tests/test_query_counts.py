"""The page of scheduled jobs costs a frozen number of queries, however many jobs and failures."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.scheduler.models import Chore, ChoreFailure
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3); then
#: what the table says. Raise a number only with a reason.
FROZEN = (
    Frozen(
        "scheduler:chores",
        "sysadmin",
        10,
        "the earliest due job (is a scanner running?), the failures with their jobs, the jobs, "
        "the task workers, the latest tasks of dead workers",
    ),
)


class SchedulerQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: a job with two failed rows (rows straight in the database: the page only
        reads them)."""
        now = timezone.now()
        start = Chore.objects.count()
        for i in range(start, start + n):
            chore = Chore.objects.create(
                name=f"test.job_{i}", interval=dt.timedelta(minutes=5), due_at=now
            )
            for key in (1, 2):
                ChoreFailure.objects.create(
                    chore=chore, key=key, error=f"ValueError: row {key}", first_failed_at=now,
                    last_failed_at=now, next_retry_at=now + dt.timedelta(minutes=5),
                )  # fmt: skip
