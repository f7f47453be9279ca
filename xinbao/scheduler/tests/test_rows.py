"""A per-row chore: each row in its own transaction; a failing row recorded, retried, cleared."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import TestCase

from xinbao.lib import chores
from xinbao.scheduler.models import Chore, ChoreFailure
from xinbao.scheduler.services import run_due

T0 = dt.datetime(2026, 5, 4, 1, 0, tzinfo=dt.UTC)
NAME = "test.delete_rows"
#: The chore runs every 30 seconds; a failed row waits a minute, then two, then four.
EVERY = dt.timedelta(seconds=30)


class RowChoreTest(TestCase):
    """The chore deletes three rows one by one (auth groups: nothing else touches them); the
    second raises while it is broken, after deleting its row, so a rollback is visible."""

    def setUp(self) -> None:
        self.keys = [Group.objects.create(name=f"row {n}").pk for n in (1, 2, 3)]
        self.broken = True
        self.handled: list[int] = []
        chores.register(NAME, EVERY, due=self.due, handle=self.handle)
        self.addCleanup(chores.unregister, NAME)

    def due(self) -> list[int]:
        return self.remaining()

    def remaining(self) -> list[int]:
        return list(
            Group.objects.filter(pk__in=self.keys).order_by("pk").values_list("pk", flat=True)
        )

    def handle(self, key: int) -> None:
        if not Group.objects.filter(pk=key).delete()[0]:
            return  # no longer due
        self.handled.append(key)
        if key == self.keys[1] and self.broken:
            raise RuntimeError("the second row is broken")

    def scan(self, at: dt.datetime) -> str:
        with time_machine.travel(at, tick=False):
            said = [line for line in run_due() if line.startswith(NAME)]
        return said[0] if said else ""

    def test_it_commits_the_other_rows_and_records_the_failing_one(self) -> None:
        with self.assertLogs("xinbao.scheduler.services", logging.ERROR) as logs:
            assert self.scan(T0) == f"{NAME}: 2 handled, 1 failed"
        assert self.remaining() == [self.keys[1]]  # first and third committed, second rolled back
        assert f"chore {NAME} failed on row {self.keys[1]}" in logs.output[0]
        failure = ChoreFailure.objects.get(chore__name=NAME)
        assert failure.key == self.keys[1]
        assert "RuntimeError: the second row is broken" in failure.error
        assert failure.attempts == 1
        assert failure.first_failed_at == failure.last_failed_at == T0
        assert failure.next_retry_at == T0 + dt.timedelta(minutes=1)
        assert "RuntimeError" in Chore.objects.get(name=NAME).last_error

    def test_it_waits_out_the_backoff_then_retries_and_counts_attempts(self) -> None:
        self.scan(T0)
        waiting = f"{NAME}: 0 handled, 1 waiting to be retried"
        assert self.scan(T0 + EVERY) == waiting  # the next run comes before the retry
        assert self.scan(T0 + 2 * EVERY) == f"{NAME}: 0 handled, 1 failed"  # a minute on
        failure = ChoreFailure.objects.get(chore__name=NAME)
        assert failure.attempts == 2
        assert failure.first_failed_at == T0
        assert failure.last_failed_at == T0 + 2 * EVERY
        assert failure.next_retry_at == T0 + 2 * EVERY + dt.timedelta(minutes=2)  # twice as long
        assert self.scan(T0 + 3 * EVERY) == waiting
        assert self.remaining() == [self.keys[1]]

    def test_it_clears_the_failure_when_the_row_passes(self) -> None:
        self.scan(T0)
        self.broken = False
        assert self.scan(T0 + 2 * EVERY) == f"{NAME}: 1 handled"  # the first run after the backoff
        assert self.remaining() == []
        assert self.handled.count(self.keys[1]) == 2  # rolled back once, then done
        assert not ChoreFailure.objects.exists()
        assert Chore.objects.get(name=NAME).last_error == ""

    def test_it_retries_a_failed_row_the_chore_no_longer_lists(self) -> None:
        self.scan(T0)
        # Someone else dealt with the row: handle finds nothing to do and the failure clears.
        Group.objects.filter(pk=self.keys[1]).delete()
        assert self.scan(T0 + 2 * EVERY) == f"{NAME}: 1 handled"
        assert not ChoreFailure.objects.exists()


def test_it_refuses_a_chore_with_both_shapes() -> None:
    with pytest.raises(TypeError):
        chores.register("test.both", dt.timedelta(minutes=1), run=lambda: "", handle=print)
    with pytest.raises(TypeError):
        chores.register("test.half", dt.timedelta(minutes=1), due=list)
    assert "test.both" not in chores.chores() and "test.half" not in chores.chores()
