"""The priorities' pages cost a frozen number of queries, however many priorities, matched
items, units and milestones they show."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.agenda.models import MatchHow, Milestone, Priority, PriorityKind, PriorityMatch
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

FROZEN = (
    Frozen(
        "agenda:list",
        "chief",
        9,
        "the priorities with their owners, the open flags, the matched items' times",
    ),
    Frozen(
        "agenda:detail",
        "chief",
        13,
        "the priority; its matches with items, units and who added them; joint units; units "
        "concerned; milestones; removed matches; the open flag",
        args=("priority",),
    ),
    Frozen(
        "agenda:detail",
        "leader",
        13,
        "as for the chief (a leader reads the same coverage)",
        args=("priority",),
    ),
)


class AgendaQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN
    priority: Priority

    def add_rows(self, n: int) -> None:
        """Per row: a priority with one matched item; the first priority also gets a matched
        item, a milestone and a unit concerned per row."""
        today = timezone.localdate()
        start = Priority.objects.count()
        for i in range(n):
            made = Priority.objects.create(
                title=f"中心工作{start + i}",
                kind=PriorityKind.CENTRAL_TASK,
                keywords="防汛",
                starts_on=today - dt.timedelta(days=60),
                ends_on=today + dt.timedelta(days=60),
                owner=self.leader,
                created_by=self.chief,
            )
            if not hasattr(self, "priority"):
                self.priority = made
            for priority in {made, self.priority}:
                item = self.make_item(
                    self.alice, title=f"东城县防汛{start + i}", submitted_at=timezone.now()
                )
                PriorityMatch.objects.create(
                    priority=priority, item=item, how=MatchHow.MANUAL, by=self.ed, at=timezone.now()
                )
            Milestone.objects.create(priority=self.priority, title=f"节点{start + i}", due_on=today)
        self.priority.units.set([self.county_a, self.county_b, self.dept])
