"""Facts beyond deaths and injuries, on kinds of events the CEC corpus has none of.

Food poisoning, a gas leak, a landslide and a flood evacuation: poisoned or taken ill, evacuated,
relocated, affected, trapped, missing, direct losses; event times read against the report time in
Beijing time; places without the words around their names.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from xinbao.lib.facts import Facts, extract_facts, normalise_place

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Reported at 09:30 on 4 July 2026, Beijing time.
REPORTED = datetime(2026, 7, 4, 9, 30, tzinfo=SHANGHAI)


def facts(text: str) -> Facts:
    return extract_facts(text, reference_time=REPORTED)


def value(fact: object) -> object:
    return getattr(fact, "value", None)


def test_it_reads_the_pupils_taken_ill_in_a_food_poisoning() -> None:
    found = facts(
        "昨日中午，江口县第二中学食堂发生一起疑似食物中毒事件，共有37名学生出现呕吐、腹泻等症状，"
        "已全部送医治疗，目前病情稳定，无人员死亡。"
    )
    assert value(found.poisoned) == 37
    assert found.poisoned is not None
    assert "37名学生出现呕吐" in found.poisoned.span.text
    assert value(found.deaths) == 0
    assert found.event_time is not None
    assert found.event_time.value == datetime(2026, 7, 3, 12, 0, tzinfo=SHANGHAI)


def test_it_reads_the_people_poisoned_when_the_count_follows() -> None:
    found = facts("截至发稿时，中毒人数已由12人上升至26人，其中3人病情较重。")
    assert value(found.poisoned) == 26


def test_it_reads_a_gas_leak_evacuation_and_the_people_feeling_unwell() -> None:
    found = facts(
        "今晨6时许，城南化工园区一储罐发生燃气泄漏，周边居民1200余人被紧急疏散，"
        "另有5名工人感到头晕，已送医观察。"
    )
    assert value(found.evacuated) == 1200
    assert found.evacuated is not None
    assert found.evacuated.bound == "at_least"
    assert value(found.poisoned) == 5
    assert found.event_time is not None
    assert found.event_time.value == datetime(2026, 7, 4, 6, 0, tzinfo=SHANGHAI)
    assert found.event_time.has_clock


def test_it_reads_trapped_missing_affected_and_loss_in_a_landslide() -> None:
    found = facts(
        "3日凌晨2时，云阳县龙洞镇石板村发生山体滑坡，掩埋民房11间，5人被困，2人失踪，"
        "受灾群众达1.2万人，初步估算直接经济损失约3500万元。"
    )
    assert value(found.trapped) == 5
    assert value(found.missing) == 2
    assert value(found.affected) == 12_000
    assert found.direct_loss_yuan == Decimal(35_000_000)
    assert found.direct_loss is not None
    assert found.direct_loss.bound == "about"
    assert found.event_time is not None
    assert found.event_time.value == datetime(2026, 7, 3, 2, 0, tzinfo=SHANGHAI)
    assert found.place is not None
    assert found.place.normalised == "云阳县龙洞镇石板村"


def test_it_reads_a_flood_evacuation_and_the_people_relocated() -> None:
    found = facts(
        "受持续强降雨影响，全县受灾人口5.6万人，紧急转移群众2300人，集中安置800人，"
        "直接经济损失1.2亿元。"
    )
    assert value(found.affected) == 56_000
    assert value(found.evacuated) == 2300
    assert value(found.relocated) == 800
    assert found.direct_loss_yuan == Decimal(120_000_000)


def test_it_reads_chinese_numerals_in_the_new_counts() -> None:
    found = facts("堤坝出现管涌险情，下游两千余名村民安全撤离，三人被困孤岛，十五人受灾。")
    assert value(found.evacuated) == 2000
    assert value(found.trapped) == 3
    assert value(found.affected) == 15


def test_it_takes_no_new_count_from_other_numbers() -> None:
    found = facts("该县有人口52万人，去年受灾人口达3万人，今年投入救灾资金800万元，出动车辆30辆。")
    assert found.affected is None  # last year's figure and the population are background
    assert found.poisoned is None
    assert found.evacuated is None


@pytest.mark.parametrize(
    ("text", "expected", "has_clock"),
    [
        ("昨日下午，某地发生险情。", datetime(2026, 7, 3, 15, 0), False),
        ("今晨，某地发生险情。", datetime(2026, 7, 4, 6, 0), False),
        ("3日凌晨，某地发生险情。", datetime(2026, 7, 3, 3, 0), False),
        ("上午10时许，某地发生险情。", datetime(2026, 7, 4, 10, 0), True),
        ("晚8时左右，某地发生险情。", datetime(2026, 7, 3, 20, 0), True),
        ("昨晚11点多，某地发生险情。", datetime(2026, 7, 3, 23, 0), True),
        ("前天下午3时30分，某地发生险情。", datetime(2026, 7, 2, 15, 30), True),
        ("30日晚，某地发生险情。", datetime(2026, 6, 30, 20, 0), False),
    ],
)
def test_it_normalises_relative_event_times_against_the_report_time(
    text: str, expected: datetime, has_clock: bool
) -> None:
    found = facts(text)
    assert found.event_time is not None
    assert found.event_time.value == expected.replace(tzinfo=SHANGHAI)
    assert found.event_time.has_clock is has_clock


def test_it_reads_relative_times_in_beijing_time_whatever_the_reference_zone() -> None:
    # 18:00 UTC on 3 July is 02:00 on 4 July in Beijing: "今晨" is the 4th there.
    found = extract_facts(
        "今晨5时，某地发生险情。", reference_time=datetime(2026, 7, 3, 18, 0, tzinfo=UTC)
    )
    assert found.event_time is not None
    assert found.event_time.value == datetime(2026, 7, 4, 5, 0, tzinfo=SHANGHAI)


def test_it_normalises_a_place_without_the_words_around_its_name() -> None:
    assert normalise_place("101国道密云县庄头峪村附近路段上") == "101国道密云县庄头峪村"
    assert normalise_place("位于 京珠高速韶关段境内") == "京珠高速韶关段"
    assert normalise_place("两县交界处") == "两县"


def test_it_reads_dates_written_in_chinese_numerals() -> None:
    found = facts("六月三十日晚八时许，某水库下游发生溃坝险情。")
    assert found.event_time is not None
    assert found.event_time.value == datetime(2026, 6, 30, 20, 0, tzinfo=SHANGHAI)
    # "三日内" is a span of days, not the third.
    assert facts("三日内连续发生两次余震。").event_time is None


def test_it_reads_a_road_as_the_place_and_not_the_words_before_a_name() -> None:
    found = facts("昨天下午，一辆从贵州开来的货车行至沪昆高速贵阳段时与客车相撞。")
    assert found.place is not None
    assert found.place.text == "沪昆高速贵阳段"
    found = facts("记者从安徽省合肥市获悉，一化工厂发生火灾。")
    assert found.place is not None
    assert found.place.text == "安徽省合肥市"
