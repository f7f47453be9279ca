"""The early-signal and partner-lead lists cost a frozen number of queries, however many rows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.liaison.models import Direction, Lead, LeadState
from xinbao.signals.models import EarlySignal, SignalKind
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3), one
#: query of the menu's own; then what the table says. Raise a number only with a reason.
FROZEN = (
    Frozen("signals:list", "ed", 8, "the paginator's count, the page's signals"),
    Frozen("signals:list", "duty", 8, "as for an editor"),
    Frozen("liaison:inbox", "ed", 7, "the leads with their liaison and sender (one join)"),
    Frozen("liaison:mine", "liaison", 7, "the liaison's leads with their sender (one join)"),
)


class SignalsQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: a raised signal, a lead shared in and a request sent to the liaison."""
        now = timezone.now()
        start = EarlySignal.objects.count()
        for i in range(start, start + n):
            EarlySignal.objects.create(
                kind=SignalKind.PLACE,
                key=f"地点{i}",
                label=f"地点{i}",
                window_start=now - dt.timedelta(hours=1),
                window_end=now,
                observed=9,
                baseline=1.0,
                baseline_std=0.8,
                score=8.0,
                raised_at=now,
                burst_last_seen_at=now,
            )
            for direction, state, by in (
                (Direction.IN, LeadState.SHARED, self.liaison),
                (Direction.OUT, LeadState.REQUESTED, self.ed),
            ):
                Lead.objects.create(
                    direction=direction,
                    title=f"线索{i}",
                    text="正文",
                    liaison=self.liaison,
                    shared_by=by,
                    shared_at=now,
                    state=state,
                    due_at=now - dt.timedelta(hours=1) if direction == Direction.OUT else None,
                )
