"""A per-row chore with a time budget leaves the rows it has no time for to its next run."""

from __future__ import annotations

import datetime as dt
import time

from django.contrib.auth.models import Group
from django.test import TestCase

from xinbao.lib import chores
from xinbao.scheduler.services import run_chore

NAME = "test.slow_rows"
EVERY = dt.timedelta(seconds=30)


class BudgetTest(TestCase):
    """Each row takes 0.2 s (a slow fetch); the budget is 0.3 s, so a run handles two rows."""

    def setUp(self) -> None:
        self.keys = [Group.objects.create(name=f"slow {n}").pk for n in range(5)]
        chores.register(
            NAME,
            EVERY,
            due=self.remaining,
            handle=self.handle,
            budget=dt.timedelta(seconds=0.3),
        )
        self.addCleanup(chores.unregister, NAME)

    def remaining(self) -> list[int]:
        return list(
            Group.objects.filter(pk__in=self.keys).order_by("pk").values_list("pk", flat=True)
        )

    def handle(self, key: int) -> None:
        time.sleep(0.2)
        Group.objects.filter(pk=key).delete()

    def scan(self) -> str:
        return run_chore(NAME)

    def test_it_stops_when_the_budget_is_spent_and_goes_on_next_run(self) -> None:
        assert self.scan() == "2 handled, 3 left for the next run (time budget spent)"
        assert self.remaining() == self.keys[2:]
        assert self.scan() == "2 handled, 1 left for the next run (time budget spent)"
        assert self.scan() == "1 handled"
        assert self.remaining() == []

    def test_it_refuses_a_budget_on_a_chore_of_one_unit_of_work(self) -> None:
        with self.assertRaisesMessage(TypeError, "a budget bounds the rows of a per-row chore"):
            chores.register("test.whole", EVERY, run=lambda: "", budget=dt.timedelta(seconds=1))
