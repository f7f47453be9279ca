"""The shared matcher: which texts are about what someone follows, how strongly, and why."""

from __future__ import annotations

from django.test import SimpleTestCase
from django.utils import translation

from xinbao.items.matching import MIN_SCORE, Match, match, profile, split_terms
from xinbao.test import bench_module


def found(
    keywords: list[str], title: str, body: str = "", exclude: list[str] | None = None
) -> Match | None:
    with translation.override("en"):
        return match(profile(keywords, exclude or []), title=title, body=body)


class MatchingTest(SimpleTestCase):
    def test_it_finds_a_keyword_in_the_title_and_says_so(self) -> None:
        m = found(["防汛"], "西湖区部署防汛工作", "会议要求各乡镇落实责任。")
        assert m is not None
        assert m.reasons == ("the title contains “防汛”",)
        assert 0 < m.score <= 1

    def test_it_counts_mentions_in_the_body(self) -> None:
        m = found(
            ["河长制"], "水环境治理情况", "全面推行河长制。河长制巡河每周一次，河长制考核纳入年度。"
        )
        assert m is not None
        assert m.reasons == ("the text mentions “河长制” 3 times",)

    def test_it_weighs_a_title_hit_above_a_body_hit(self) -> None:
        title = found(["防汛"], "防汛工作部署", "各地加强值守。")
        body = found(["防汛"], "工作部署", "各地加强防汛值守，落实防汛物资，开展防汛巡查。")
        assert title is not None and body is not None
        assert title.score > body.score

    def test_it_scores_more_distinct_keywords_higher(self) -> None:
        one = found(["防汛", "水库", "转移群众"], "防汛工作部署", "各地加强值守。")
        three = found(
            ["防汛", "水库", "转移群众"], "工作部署", "加强防汛值守，巡查水库，及时转移群众。"
        )
        assert one is not None and three is not None
        assert three.score > one.score
        assert len(three.reasons) == 3

    def test_it_matches_phrases_and_normalised_text(self) -> None:
        # Traditional characters and full-width letters find the simplified, half-width term.
        m = found(["营商环境", "5G基站"], "優化營商環境座談會", "新建５Ｇ基站120个。")
        assert m is not None
        assert len(m.reasons) == 2

    def test_it_asks_for_every_part_of_a_term_with_spaces(self) -> None:
        m = found(["汛期 安全"], "确保汛期群众安全", "各地加强值守。")
        assert m is not None
        assert m.reasons == ("the title contains “汛期 安全”",)
        assert found(["汛期 安全"], "汛期工作部署", "各地加强值守。") is None

    def test_it_lets_an_excluded_term_veto(self) -> None:
        assert found(["防汛"], "防汛演练", "本次为防汛演练。", exclude=["演练"]) is None
        assert found(["防汛"], "防汛部署", "各地部署。", exclude=["演练"]) is not None

    def test_it_does_not_match_without_a_keyword(self) -> None:
        assert found(["防汛"], "招商引资签约", "签约项目12个。") is None
        assert found([], "防汛", "防汛") is None

    def test_it_matches_a_latin_word_only_whole(self) -> None:
        assert found(["AI"], "MAIL系统升级", "") is None
        m = found(["AI"], "推进AI+制造", "")
        assert m is not None and m.score >= MIN_SCORE

    def test_it_splits_terms_typed_in_one_field(self) -> None:
        assert split_terms("防汛、抗旱, 水库；防汛\n河长制") == ["防汛", "抗旱", "水库", "河长制"]

    def test_it_speaks_the_users_language(self) -> None:
        with translation.override("zh-hans"):
            m = match(profile(["防汛"]), title="防汛", body="")
        assert m is not None and "防汛" in m.reasons[0]

    def test_it_does_not_count_one_passing_mention(self) -> None:
        assert found(["防汛"], "全市经济运行情况", "工业增长较快，防汛期间生产未受影响。") is None
        m = found(["防汛", "水库"], "工作部署", "加强防汛值守，巡查水库。")
        assert m is not None and m.score >= MIN_SCORE


class MatchingBenchTest(SimpleTestCase):
    """bench/matching.py in small, so that it cannot rot: the figures it computes add up."""

    def test_it_measures_precision_and_recall_on_the_labelled_demo_set(self) -> None:
        result = bench_module("matching").run(120)
        assert result["items"] == 120 and result["profiles"] == 6
        overall = result["overall"]
        per_profile = result["per_profile"].values()
        assert overall["tp"] == sum(p["tp"] for p in per_profile)
        assert overall["fn"] == sum(p["fn"] for p in per_profile)
        assert sum(p["relevant_items"] for p in per_profile) == overall["tp"] + overall["fn"]
        assert overall["precision"] == round(overall["tp"] / (overall["tp"] + overall["fp"]), 4)
        # A matcher that finds next to nothing, or everything, shows here.
        assert 0.5 < overall["precision"] <= 1 and 0.5 < overall["recall"] <= 1
        by_threshold = result["overall_by_threshold"]
        recalls = [by_threshold[t]["recall"] for t in sorted(by_threshold, key=float)]
        assert recalls == sorted(recalls, reverse=True)  # a higher bar never finds more
