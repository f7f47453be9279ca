"""The scanner posts the ledger as the office works: once per cause, however often it runs."""

from __future__ import annotations

import datetime as dt

import time_machine

from xinbao.incidents.models import RecordKind
from xinbao.scoring.chores import post_ledger
from xinbao.scoring.models import Cause, ScoreEntry
from xinbao.scoring.tests.factories import ScoringCase, noon


class PostingChoreTest(ScoringCase):
    def test_it_posts_every_cause_once(self) -> None:
        adoption = self.adopt(self.item(self.alice), dt.date(2026, 5, 12))
        record = self.accountability(self.county_b, RecordKind.LATE, dt.date(2026, 5, 14))
        instruction = self.instruct(
            [self.county_a, self.county_b],
            dt.date(2026, 5, 15),
            feedback_due=dt.date(2026, 5, 22),
        )
        instruction.forwarded_at = noon(dt.date(2026, 5, 15))
        instruction.save(update_fields=["forwarded_at"])
        self.submitted(self.alice, dt.date(2026, 5, 20), 6)  # county A meets its quota of 6

        with time_machine.travel(noon(dt.date(2026, 6, 2)), tick=False):
            said = post_ledger()
            assert said != "0 ledger entries posted"
            assert post_ledger() == "0 ledger entries posted"

        def units(cause: str, cause_id: int) -> set[str]:
            return set(
                ScoreEntry.objects.filter(
                    cause=cause, cause_id=cause_id, via__isnull=True
                ).values_list("unit__code", flat=True)
            )

        assert units(Cause.ADOPTION, adoption.pk) == {"C01"}
        assert units(Cause.RECORD, record.pk) == {"C02"}
        assert units(Cause.INSTRUCTION, instruction.pk) == {"C01", "C02"}
        # Neither county fed back by 22 May: both are charged, once.
        assert units(Cause.FEEDBACK, instruction.pk) == {"C01", "C02"}
        quota = ScoreEntry.objects.filter(cause=Cause.QUOTA, via__isnull=True)
        by_unit = {e.unit.code: e.points for e in quota.select_related("unit")}
        assert by_unit["C01"] > 0 > by_unit["C02"]
        # The direct point's entries count for its county too (via the point).
        assert ScoreEntry.objects.filter(unit=self.county_a, via=self.point).exists()
