"""Key facts read from urgent reports: hand-written sentences, and the CEC corpus where present."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinbao.lib.facts import Facts, extract_facts, parse_number
from xinbao.test import bench_module

REPORTED = datetime(2026, 7, 4, 9, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def facts(text: str) -> Facts:
    return extract_facts(text, reference_time=REPORTED)


def value(fact: object) -> object:
    return getattr(fact, "value", None)


@pytest.mark.parametrize(
    ("text", "deaths", "injuries"),
    [
        ("某县一化工厂发生爆炸，造成3人死亡、5人受伤。", 3, 5),
        ("截至目前，死亡人数上升至12人，另有20人受伤。", 12, 20),
        ("两车相撞致2死3伤。", 2, 3),
        ("山体滑坡已致7人遇难。", 7, None),
        ("仓库起火，所幸无人员伤亡。", 0, 0),
        ("目前已造成四人死亡、十六人不同程度受伤。", 4, 16),
        ("事故共造成两人当场死亡，一人重伤，两人轻伤。", 2, 3),
        ("大客车侧翻，车上21人受伤，其中2人伤势较重。", None, 21),
        ("一辆轿车撞上护栏，车内两名乘客受伤。", None, 2),
        ("两死两重伤数人轻伤。", 2, 2),
        ("据最新统计，地震造成至少51人死亡。", 51, None),
        ("民房倒塌，造成一家6口全部遇难。", 6, None),
        ("面包车内三男两女全部死亡。", 5, None),
        ("车上5名游客及1名司机受伤，已送医救治。", None, 6),
        ("事故造成1人当场死亡，3人在送医途中死亡，2人受伤。", 4, 2),
    ],
)
def test_it_reads_casualties_in_real_phrasing(
    text: str, deaths: int | None, injuries: int | None
) -> None:
    found = facts(text)
    assert value(found.deaths) == deaths
    assert value(found.injuries) == injuries


def test_it_takes_the_latest_total_not_a_sum_of_updates() -> None:
    text = (
        "7月3日凌晨，某镇发生山洪，初步统计5人死亡。经连夜搜救，死亡人数由5人上升到8人。"
        "至记者发稿时，8人死亡，3人失踪。"
    )
    found = facts(text)
    assert value(found.deaths) == 8
    assert found.deaths is not None
    assert "8人" in found.deaths.span.text
    assert text[found.deaths.span.start : found.deaths.span.end] == found.deaths.span.text
    assert value(found.missing) == 3


def test_it_keeps_serious_injuries_apart_and_counts_them_as_injured() -> None:
    found = facts("事故造成3人重伤，14人轻微伤。")
    assert value(found.serious_injuries) == 3
    assert value(found.injuries) == 17
    found = facts("造成6人受伤，其中2人伤势较重。")
    assert value(found.serious_injuries) == 2
    assert value(found.injuries) == 6


@pytest.mark.parametrize(
    "text",
    [
        "一名45岁男子驾驶的轿车与3辆车相撞，10余名消防员赶到现场。",
        "2026年7月3日，值班电话13800138000接到报告。",
        "现场出动消防车5辆、消防员30名，疏通道路2公里。",
        "据统计，全省每年约有1800人死于道路交通事故。",
        "2004年的那次海啸造成20余万人死亡或失踪。",
        "事故发生后，数十人围观，上百人自发参与救援。",
    ],
)
def test_it_finds_no_casualties_in_numbers_that_count_something_else(text: str) -> None:
    found = facts(text)
    assert found.deaths is None
    assert found.injuries is None


def test_it_reads_an_age_inside_a_casualty_without_taking_it_for_the_count() -> None:
    found = facts("一名45岁男子经抢救无效死亡。")
    assert value(found.deaths) == 1


def test_it_reads_missing_trapped_and_evacuated() -> None:
    found = facts("暴雨致12人失联，仍有5名群众被困，已紧急转移受灾群众3200余人。")
    assert value(found.missing) == 12
    assert value(found.trapped) == 5
    assert value(found.evacuated) == 3200
    assert found.evacuated is not None
    assert found.evacuated.bound == "at_least"


def test_it_reads_the_direct_loss_in_yuan() -> None:
    assert facts("初步估算直接经济损失约1.2亿元。").direct_loss_yuan == Decimal(120_000_000)
    assert facts("火灾造成直接经济损失350万元。").direct_loss_yuan == Decimal(3_500_000)
    assert facts("道路中断，损失正在统计中。").direct_loss_yuan is None


@pytest.mark.parametrize(
    ("text", "expected", "has_clock"),
    [
        ("7月3日凌晨，某县发生塌方。", datetime(2026, 7, 3, 3, 0), False),
        ("3日14时20分，某市一商场起火。", datetime(2026, 7, 3, 14, 20), True),
        ("2026年7月3日，某县发生地震。", datetime(2026, 7, 3, 0, 0), False),
        ("昨天下午1点多，一辆客车翻下山崖。", datetime(2026, 7, 3, 13, 0), True),
        ("12月30日晚上10点，某厂发生爆炸。", datetime(2025, 12, 30, 22, 0), True),
    ],
)
def test_it_reads_the_event_time_against_the_report_time(
    text: str, expected: datetime, has_clock: bool
) -> None:
    found = facts(text)
    assert found.event_time is not None
    assert found.event_time.value == expected.replace(tzinfo=SHANGHAI)
    assert found.event_time.has_clock is has_clock


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        # 23:00 UTC on the 2nd is 07:00 on the 3rd in Beijing: "3日" is that day, not the 3rd UTC.
        (
            "3日14时20分，某市一商场起火。",
            datetime(2026, 7, 2, 23, 0),
            datetime(2026, 7, 3, 14, 20),
        ),
        # 20:00 UTC on 31 July is 04:00 on 1 August in Beijing: "1日" is 1 August, not 1 July.
        ("1日凌晨2时，某县发生塌方。", datetime(2026, 7, 31, 20, 0), datetime(2026, 8, 1, 2, 0)),
        # "昨天" counts back from the Beijing date (1 August), so it is 31 July.
        (
            "昨天下午1点，一辆客车翻下山崖。",
            datetime(2026, 7, 31, 20, 0),
            datetime(2026, 7, 31, 13, 0),
        ),
        # "今天" at 16:30 UTC on 31 December is 1 January in Beijing.
        ("今天上午8时，某厂发生爆炸。", datetime(2026, 12, 31, 16, 30), datetime(2027, 1, 1, 8, 0)),
    ],
)
def test_it_reads_the_event_time_in_beijing_time_against_a_utc_report_time(
    text: str, reference: datetime, expected: datetime
) -> None:
    found = extract_facts(text, reference_time=reference.replace(tzinfo=UTC))
    assert found.event_time is not None
    assert found.event_time.value == expected.replace(tzinfo=SHANGHAI)
    assert found.event_time.value.utcoffset() is not None
    assert found.event_time.value.astimezone(UTC) == expected.replace(tzinfo=SHANGHAI).astimezone(
        UTC
    )


def test_it_reads_the_event_time_in_beijing_time_without_a_report_time() -> None:
    # 18:00 UTC on 31 July is 02:00 on 1 August in Beijing: "昨天" is 31 July there.
    with time_machine.travel(datetime(2026, 7, 31, 18, 0, tzinfo=UTC), tick=False):
        found = extract_facts("昨天晚上9时，某村发生火灾。")
    assert found.event_time is not None
    assert found.event_time.value == datetime(2026, 7, 31, 21, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("3日14时许，四川省凉山彝族自治州会理县发生5.1级地震。", "四川省凉山彝族自治州会理县"),
        ("昨日，一辆货车在京藏高速公路K20处发生侧翻。", "京藏高速公路K20"),
        ("事故发生在某市东城区和平街道幸福村附近。", "某市东城区和平街道幸福村"),
    ],
)
def test_it_reads_the_place_without_a_gazetteer(text: str, place: str) -> None:
    found = facts(text)
    assert found.place is not None
    assert found.place.text == place
    assert text[found.place.span.start : found.place.span.end] == place


def test_it_reads_full_width_digits_and_keeps_offsets() -> None:
    text = "两车相撞，造成１１人死亡。"
    found = facts(text)
    assert value(found.deaths) == 11
    assert found.deaths is not None
    assert text[found.deaths.span.start : found.deaths.span.end] == "１１人死亡"


def test_it_keeps_every_mention_as_evidence() -> None:
    found = facts("初报3人死亡。续报：死亡人数上升至5人，2人受伤。")
    kinds = [(m.kind, m.count.value) for m in found.mentions]
    assert ("deaths", 3) in kinds
    assert ("deaths", 5) in kinds
    assert ("injuries", 2) in kinds


@pytest.mark.parametrize(
    ("numeral", "number"),
    [("12", 12), ("1.2万", 12000), ("两", 2), ("二十八", 28), ("百", 100), ("九千二百", 9200)],
)
def test_it_parses_numerals(numeral: str, number: int) -> None:
    assert parse_number(numeral) == number


def test_it_does_not_take_a_year_written_in_digits_for_a_count() -> None:
    assert parse_number("二〇二六") is None


CEC = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "cec"


@pytest.mark.skipif(not (CEC / "xml").is_dir(), reason=f"no CEC corpus at {CEC}")
def test_it_meets_the_target_on_the_cec_reports() -> None:
    result = bench_module("eval_cec").evaluate(CEC)
    assert result.reports > 200
    for score in (result.deaths, result.injuries):
        assert score.precision >= 0.9
        assert score.recall >= 0.9


def test_it_skips_the_evaluation_cleanly_without_the_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "eval.json"
    assert (
        bench_module("eval_cec").main(["--data", str(tmp_path / "absent"), "--out", str(out)]) == 0
    )
    assert "skipped" in capsys.readouterr().out
    assert not out.exists()
