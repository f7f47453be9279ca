"""The quality check "similar items already reported by other units"."""

from __future__ import annotations

import datetime as dt

import time_machine

from xinbao.items.models import Item, ItemKind, ItemStatus, Urgency
from xinbao.items.quality import Advice, Draft, check_item, run_checks
from xinbao.items.services import create_item, submit_item
from xinbao.items.tests.test_similarity import FLOOD_A, FLOOD_B, FLOOD_OTHER, data
from xinbao.lib.labels import Sensitivity
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 7, 3, 2, 0, tzinfo=dt.UTC)


class SimilarCheckTest(BaseTestCase):
    def similar(self, advice: list[Advice]) -> list[Advice]:
        return [a for a in advice if a.code == "similar_items"]

    def typed(self, body: str) -> Draft:
        return Draft(
            title="青石镇强降雨",
            body=body,
            kind=ItemKind.DYNAMIC,
            urgency=Urgency.GENERAL_URGENT,
            unit=self.county_b,
            user=self.bob,
            written_at=T0 + dt.timedelta(hours=2),
        )

    def sent_by_alice(self) -> Item:
        with time_machine.travel(T0, tick=False):
            item = create_item(user=self.alice, data=data("东城县青石镇遭遇强降雨", FLOOD_A))
            return submit_item(user=self.alice, item=item)

    def test_it_tells_a_reporter_how_many_other_units_reported_it_and_no_more(self) -> None:
        self.sent_by_alice()
        [advice] = self.similar(run_checks(self.typed(FLOOD_B)))
        assert advice.message == "1 other unit already reported this event."
        assert advice.severity == "info" and "rather than repeating" in advice.reason
        assert "东城县" not in advice.message + advice.reason

    def test_it_says_nothing_of_another_event_in_the_same_words(self) -> None:
        self.sent_by_alice()
        assert self.similar(run_checks(self.typed(FLOOD_OTHER))) == []

    def test_it_counts_no_draft_and_nothing_above_the_clearance(self) -> None:
        with time_machine.travel(T0, tick=False):
            draft = create_item(user=self.alice, data=data("青石镇遭遇强降雨", FLOOD_A))
        assert draft.status == ItemStatus.DRAFT
        assert self.similar(run_checks(self.typed(FLOOD_B))) == []
        sent = self.sent_by_alice()
        Item.objects.filter(pk=sent.pk).update(sensitivity=Sensitivity.SENSITIVE)
        self.bob.clearance = Sensitivity.INTERNAL
        self.bob.save(update_fields=["clearance"])
        assert self.similar(run_checks(self.typed(FLOOD_B))) == []

    def test_it_names_the_units_to_the_desk(self) -> None:
        self.sent_by_alice()
        with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
            mine = submit_item(
                user=self.bob, item=create_item(user=self.bob, data=data("青石镇强降雨", FLOOD_B))
            )
        [advice] = self.similar(check_item(mine, user=self.ed))
        assert advice.message == "1 other unit already reported this event. Reported by: 东城县."
