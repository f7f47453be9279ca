"""Same-event groups: signatures at intake, near-duplicates grouped, different events kept
apart, nothing shown that the reader may not see, and a lookup of constant cost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinbao.accounts.models import User
from xinbao.items.models import Item, ItemBand, ItemKind, ItemSignature, ItemStatus, Urgency
from xinbao.items.services import ItemData, create_item, submit_item, update_item
from xinbao.items.similarity import (
    BANDS,
    THRESHOLD,
    group_of,
    jaccard,
    place_names,
    places_agree,
    shingles,
    signature,
    similar_items,
)
from xinbao.lib.labels import Sensitivity
from xinbao.org.models import Unit
from xinbao.scheduler.services import run_chore
from xinbao.test import BaseTestCase, bench_module

T0 = dt.datetime(2026, 7, 3, 2, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data"

FLOOD_A = (
    "7月3日凌晨，东城县青石镇遭遇强降雨，最大小时降雨量达80毫米。"
    "县委县政府立即启动防汛二级应急响应，转移受灾群众1200人。"
    "目前已有3人死亡，2人失踪，搜救工作正在进行。"
    "县领导赶赴现场指挥抢险救灾，全力做好受灾群众安置工作。"
)
# The same flood as county B's office tells it: sentences reordered, a figure and a word changed.
FLOOD_B = (
    "县领导赶赴现场指挥抢险救灾，全力做好受灾群众安置工作。"
    "7月3日凌晨，东城县青石镇遭遇强降雨，最大小时降雨量达85毫米。"
    "目前已有3人死亡，2人失踪，搜救工作仍在进行。"
    "县委县政府立即启动防汛二级应急响应，转移受灾群众1300人。"
)
# Another flood: the same template of words, another county and town.
FLOOD_OTHER = FLOOD_A.replace("东城县青石镇", "西山县白沙镇")


def data(title: str, body: str, **extra: object) -> ItemData:
    return ItemData(
        title=title,
        body=body,
        kind=ItemKind.DYNAMIC,
        urgency=Urgency.GENERAL_URGENT,
        writer_name="赵小红",
        writer_phone="13800000001",
        **extra,  # type: ignore[arg-type]  # the tests pass only ItemData's own fields
    )


class SimilarityTest(BaseTestCase):
    def report(
        self, user: User, title: str, body: str, *, unit: Unit | None = None, **extra: object
    ) -> Item:
        item = create_item(user=user, data=data(title, body, **extra), unit=unit)
        return submit_item(user=user, item=item)

    def test_it_signs_an_item_at_intake_and_again_when_edited(self) -> None:
        with time_machine.travel(T0, tick=False):
            item = create_item(user=self.alice, data=data("东城县强降雨", FLOOD_A))
        stored = ItemSignature.objects.get(item=item)
        assert stored.place == "东城县 青石镇"
        assert ItemBand.objects.filter(item=item).count() == BANDS
        before = {b.hash for b in ItemBand.objects.filter(item=item)}
        update_item(user=self.alice, item=item, data=data("东城县召开会议", "县委召开常委会议。"))
        after = {b.hash for b in ItemBand.objects.filter(item=item)}
        assert ItemBand.objects.filter(item=item).count() == BANDS
        assert not before & after

    def test_it_groups_near_duplicates_from_two_units(self) -> None:
        with time_machine.travel(T0, tick=False):
            a = self.report(self.alice, "东城县青石镇遭遇强降雨", FLOOD_A)
        with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
            b = self.report(self.bob, "东城县青石镇强降雨致3人死亡", FLOOD_B)
        found = similar_items(a, self.ed)
        assert [s.item for s in found] == [b]
        assert found[0].score >= THRESHOLD
        group = group_of(b, self.ed)
        assert group.items == [a, b]
        assert [(u.unit_name, len(u.items)) for u in group.units] == [("东城县", 1), ("西山县", 1)]
        assert group.first == a and group.latest == b

    def test_it_signs_items_written_past_the_services_by_a_chore(self) -> None:
        with time_machine.travel(T0, tick=False):
            a = self.report(self.alice, "东城县青石镇遭遇强降雨", FLOOD_A)
            # The demo's bulk load writes rows directly: no signature until the chore runs.
            b = Item.objects.create(
                unit=self.county_b,
                title="东城县青石镇强降雨致3人死亡",
                body=FLOOD_B,
                kind=ItemKind.DYNAMIC,
                urgency=Urgency.GENERAL_URGENT,
                status=ItemStatus.SUBMITTED,
                submitted_at=T0 + dt.timedelta(hours=1),
                created_by=self.bob,
            )
            assert similar_items(a, self.ed) == []
            run_chore("items.signatures")
        assert [s.item for s in similar_items(a, self.ed)] == [b]

    def test_it_keeps_apart_different_events_that_share_their_words(self) -> None:
        with time_machine.travel(T0, tick=False):
            a = self.report(self.alice, "青石镇遭遇强降雨", FLOOD_A)
            other = self.report(self.bob, "白沙镇遭遇强降雨", FLOOD_OTHER)
        # Most of their words are shared: only the places tell them apart.
        sa = signature(shingles(a.title, a.body))
        so = signature(shingles(other.title, other.body))
        assert sa is not None and so is not None
        assert jaccard(sa, so) >= THRESHOLD
        assert similar_items(a, self.ed) == []

    def test_it_keeps_apart_the_same_place_on_days_far_apart(self) -> None:
        with time_machine.travel(T0, tick=False):
            first = FLOOD_A.replace("7月3日凌晨", "7月3日凌晨4时")
            again = FLOOD_A.replace("7月3日凌晨", "7月6日凌晨4时")
            a = self.report(self.alice, "青石镇遭遇强降雨", first)
            later = self.report(self.bob, "青石镇再遭强降雨", again)
        assert similar_items(a, self.ed) == []
        assert similar_items(later, self.ed) == []

    def test_it_leaves_out_items_sent_outside_the_window(self) -> None:
        with time_machine.travel(T0, tick=False):
            a = self.report(self.alice, "东城县强降雨", FLOOD_A)
        with time_machine.travel(T0 + dt.timedelta(days=4), tick=False):
            self.report(self.bob, "东城县强降雨", FLOOD_B, event_at=T0)
        assert similar_items(a, self.ed) == []
        with self.settings(XINBAO_SIMILAR_WINDOW_DAYS=5):
            assert len(similar_items(a, self.ed)) == 1

    def test_it_never_shows_a_reporter_another_units_item(self) -> None:
        with time_machine.travel(T0, tick=False):
            a = self.report(self.alice, "东城县强降雨", FLOOD_A)
            b = self.report(self.bob, "东城县强降雨", FLOOD_B)
        assert similar_items(a, self.alice) == []
        assert [s.item for s in similar_items(a, self.ed)] == [b]

    def test_it_never_shows_an_item_above_the_readers_clearance(self) -> None:
        with time_machine.travel(T0, tick=False):
            a = self.report(self.alice, "东城县强降雨", FLOOD_A)
            b = self.report(self.bob, "东城县强降雨", FLOOD_B)
        Item.objects.filter(pk=b.pk).update(sensitivity=Sensitivity.SENSITIVE)
        self.ed.clearance = Sensitivity.INTERNAL
        self.ed.save(update_fields=["clearance"])
        assert similar_items(a, self.ed) == []
        assert group_of(a, self.ed).items == [a]

    def test_it_never_groups_another_units_draft_for_the_office(self) -> None:
        with time_machine.travel(T0, tick=False):
            a = self.report(self.alice, "东城县强降雨", FLOOD_A)
            draft = create_item(user=self.bob, data=data("东城县强降雨", FLOOD_B))
        assert draft.status == ItemStatus.DRAFT
        assert similar_items(a, self.ed) == []

    def test_it_looks_up_in_a_small_constant_number_of_queries(self) -> None:
        with time_machine.travel(T0, tick=False):
            a = self.report(self.alice, "东城县强降雨", FLOOD_A)
            self.report(self.bob, "东城县强降雨", FLOOD_B)

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                similar_items(a, self.ed)
            return len(ctx.captured_queries)

        few = queries()
        with time_machine.travel(T0, tick=False):
            for n in range(20):
                self.report(self.bob, f"东城县强降雨续报{n}", FLOOD_B + f"续报第{n}次。")
                self.report(self.alice, f"县委召开会议{n}", f"第{n}次研究部署秋粮收购工作。")
        assert len(similar_items(a, self.ed)) == 21
        assert queries() == few <= 3

    def test_it_compares_places_level_by_level(self) -> None:
        def agree(a: str, b: str) -> bool:
            return places_agree(" ".join(place_names(a)), " ".join(place_names(b)))

        assert agree("河北省石家庄市发生", "石家庄市鹿泉区发生")
        assert not agree("东城县青石镇遭遇强降雨", "西山县白沙镇遭遇强降雨")
        assert not agree("石家庄市长安区", "石家庄市鹿泉区")
        assert agree("西山县委办公室报：东城县青石镇", "东城县青石镇")  # the sender's own county
        assert agree("全市城区", "西山县")  # 全市 and 城区 name no unit


@pytest.mark.skipif(
    not (DATA / "cec" / "text").is_dir() or not (DATA / "gov-reports").is_dir(),
    reason=f"no gov-reports and CEC texts at {DATA}",
)
@pytest.mark.django_db
def test_it_meets_the_targets_on_a_small_planted_corpus() -> None:
    bench = bench_module("similar")
    result = bench.measure(bench.build(800, 60), queries=120)
    assert result["near_duplicate_pairs"] == 60
    assert result["recall"] >= bench.TARGET_RECALL
    assert result["precision"] >= bench.TARGET_PRECISION
    assert result["different_event_pairs"] == 30
    assert result["different_event_grouped"] == 0
