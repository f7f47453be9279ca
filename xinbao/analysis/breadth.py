"""The breadth classifier: an item's suggested place on the three axes of SPEC §7.

General cue words, not phrases of particular reports, so that it holds for texts it was never
shown (``bench/breadth.py`` measures it on a labelled set written apart from these lexicons):

- **horizon**: words of a whole picture and its movement (同比, 趋势, 态势, 总体, 累计…) and
  figures (percentages, sums in 万/亿) weigh for a macro trend; words of something just
  noticed, feared or reported by people (苗头, 隐患, 反映, 投诉, 传言…) and of a single event on
  the ground (发生, 现场, 受伤…) for an early sign. No cue either way: a macro trend, since an
  early sign needs evidence of one.
- **sphere**: words of what a household meets every day (菜价, 就医, 入学, 供暖, 出行, 物业…)
  against words of the economy and of governing (产业, 投资, 财政, 改革, 部署…). Words every
  report uses about the people (群众, 居民) count half. No cue: economy and society.
- **region**: the places the text names (``items.similarity.place_names``) against the places
  of the office's own network (``local`` from the org tree: the units' names and addresses,
  the city, the dictionary's place names; 我市, 本县 are the writer's own), and words that point
  outside (外省, 兄弟省市, 全国, 借鉴…).
  A named local place weighs one for local; for outside, a province that is not local weighs
  one and a half, a city one, a county or township the office does not know a quarter (a
  township of the city is often not in the org tree, a county of another province is), a
  village nothing, an outside word two (a wire agency's dateline, 新华社, is one). Outside
  when it weighs more. A name counts only where it is one: a stem of two characters or more,
  not the head of a longer word (培育区域 names no 培育区, 人力资源市场 no 人力资源市).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from xinbao.analysis.models import Horizon, Region, Sphere
from xinbao.items.similarity import place_names
from xinbao.lib.text import normalise

TREND_CUES = (
    "同比",
    "环比",
    "增长",
    "增速",
    "增幅",
    "下降",
    "回落",
    "上升",
    "趋势",
    "态势",
    "形势",
    "走势",
    "总体",
    "总量",
    "整体",
    "累计",
    "全年",
    "上半年",
    "季度",
    "比重",
    "占比",
    "百分点",
    "规模",
    "运行",
    "指数",
    "平均",
    "统计",
    "数据显示",
    "稳中",
    "结构",
    "宏观",
    "预计",
    "预测",
    "长期",
    "持续",
    "逐年",
    "格局",
)
EARLY_CUES = (
    "苗头",
    "隐患",
    "反映",
    "投诉",
    "举报",
    "信访",
    "上访",
    "聚集",
    "围堵",
    "传言",
    "谣言",
    "网传",
    "热议",
    "担忧",
    "担心",
    "不满",
    "情绪",
    "抱怨",
    "矛盾",
    "纠纷",
    "倾向",
    "值得关注",
    "引起重视",
    "警惕",
    "个别",
    "少数",
    "部分群众",
    "部分居民",
    "部分村民",
    "抬头",
    "讨薪",
    "欠薪",
    "异常",
    "疑似",
    "突发",
    "发生",
    "现场",
    "受伤",
    "死亡",
    "事故",
    "险情",
    "据了解",
    "近日",
)
DAILY_CUES = (
    "菜价",
    "物价",
    "涨价",
    "价格",
    "就医",
    "看病",
    "挂号",
    "医院",
    "门诊",
    "药品",
    "入学",
    "上学",
    "学位",
    "幼儿园",
    "学生",
    "家长",
    "供暖",
    "取暖",
    "暖气",
    "供水",
    "停水",
    "饮水",
    "自来水",
    "停电",
    "燃气",
    "出行",
    "公交",
    "地铁",
    "打车",
    "拥堵",
    "停车",
    "住房",
    "房租",
    "租房",
    "物业",
    "小区",
    "业主",
    "养老",
    "老人",
    "社保",
    "医保",
    "低保",
    "就业",
    "工资",
    "欠薪",
    "讨薪",
    "食品",
    "餐饮",
    "菜市场",
    "超市",
    "噪音",
    "垃圾",
    "快递",
    "外卖",
    "办事",
    "排队",
    "孩子",
    "儿童",
    "家庭",
)
#: Words every report uses about the people: half a cue each.
DAILY_WEAK_CUES = ("群众", "居民", "市民", "村民", "民生", "生活")
ECONOMY_CUES = (
    "经济",
    "产业",
    "企业",
    "投资",
    "项目",
    "招商",
    "生产总值",
    "GDP",
    "工业",
    "财政",
    "税收",
    "金融",
    "贷款",
    "外贸",
    "出口",
    "改革",
    "治理",
    "规划",
    "部署",
    "园区",
    "制造",
    "农业",
    "基地",
    "工程",
    "基础设施",
    "营商环境",
    "党建",
    "政策",
    "机制",
    "体系",
    "考核",
    "市场主体",
    "产值",
    "营收",
    "科技",
    "创新",
    "生态",
    "环保",
    "安全生产",
    "应急",
    "防汛",
    "稳定",
    "会议",
)
OUTSIDE_CUES = (
    "外省",
    "省外",
    "区外",
    "市外",
    "外地",
    "兄弟省市",
    "周边省份",
    "其他地区",
    "全国",
    "国内外",
    "境外",
    "国外",
    "发达地区",
    "沿海地区",
    "借鉴",
    "新华社",
    "中新社",
    "中新网",
    "新华网",
)
# A percentage, or a sum in 万 or 亿 (figures of a whole picture).
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|万|亿)|百分之[一二三四五六七八九十百]+")
#: At most this many figures count for a trend (a table of figures is one picture).
MAX_FIGURES = 4
FIGURE_WEIGHT = 0.5
# The levels of a place's name (as items.similarity reads them), the widest first.
_PROVINCE = ("省", "自治区")
_CITY = ("市", "州", "自治州", "盟")
_SUFFIXES = ("自治区", "自治州", "省", "市", "州", "盟", "县", "区", "旗", "镇", "乡", "村")
#: Characters that make a place suffix the head of a longer word: 区域, 区级, 市场, 县级.
_WORD_TAILS = frozenset("域级场段划间块")


@dataclass(frozen=True)
class Suggestion:
    horizon: str
    sphere: str
    region: str
    #: axis -> the words, figures and places that decided it, for the editor to judge.
    reasons: dict[str, list[str]] = field(default_factory=dict)


def _cues(text: str, words: Iterable[str]) -> list[str]:
    return [w for w in words if w in text]


def _horizon(text: str) -> tuple[str, list[str]]:
    trend = _cues(text, TREND_CUES)
    figures = list(dict.fromkeys(m.group(0) for m in _FIGURE.finditer(text)))[:MAX_FIGURES]
    early = _cues(text, EARLY_CUES)
    trend_weight = len(trend) + FIGURE_WEIGHT * len(figures)
    if len(early) > trend_weight:
        return Horizon.EARLY_SIGN, early
    return Horizon.TREND, trend + figures


def _sphere(text: str) -> tuple[str, list[str]]:
    daily = _cues(text, DAILY_CUES)
    weak = _cues(text, DAILY_WEAK_CUES)
    economy = _cues(text, ECONOMY_CUES)
    if len(daily) + 0.5 * len(weak) > len(economy):
        return Sphere.DAILY_LIFE, daily + weak
    return Sphere.ECONOMY, economy


#: First characters of a place that names the writer's own: 我市, 本县, 全区.
_OWN = ("我", "本", "全")


def _is_local(name: str, local: frozenset[str]) -> bool:
    if name in local or name.startswith(_OWN):
        return True
    # 东城 named as 东城县 in the network, or the reverse: the same place without its level.
    return any(len(p) >= 2 and (name.startswith(p) or p.startswith(name)) for p in local)


def _real(name: str, text: str) -> bool:
    """Whether ``name`` names a place rather than ending a word the segmenter cut short: its
    stem is two characters or more (在区 is none) and somewhere in the text it is not the head
    of a longer word (区域, 区级, 市场: 培育区域 names no 培育区)."""
    suffix = next((s for s in _SUFFIXES if name.endswith(s)), "")
    if len(name) - len(suffix) < 2:
        return False
    start = text.find(name)
    while start != -1:
        after = text[start + len(name) : start + len(name) + 1]
        if after not in _WORD_TAILS:
            return True
        start = text.find(name, start + 1)
    return False


def _region(text: str, local: frozenset[str]) -> tuple[str, list[str]]:
    named = [n for n in place_names(text) if _real(n, text)]
    near = [n for n in named if _is_local(n, local)]
    far = [n for n in named if n not in near]
    outside_words = _cues(text, OUTSIDE_CUES)
    out_weight = 2 * len(outside_words) + sum(_far_weight(n) for n in far)
    if out_weight > len(near):
        return Region.OUTSIDE, outside_words + far
    return Region.LOCAL, near


def _far_weight(name: str) -> float:
    if name.endswith(_PROVINCE):
        return 1.5
    if name.endswith(_CITY):
        return 1.0
    if name.endswith("村"):
        # A village tells nothing of the region (and 部分村, 多数村 are no names at all).
        return 0.0
    return 0.25


def local_names(names: Iterable[str]) -> frozenset[str]:
    """The places of the office's network, read from its units' names and addresses, the
    city and the dictionary (each text is scanned for place names; a bare name is kept too)."""
    found: set[str] = set()
    for text in names:
        if not text:
            continue
        found.update(place_names(normalise(text)))
    return frozenset(found)


def suggest(*, title: str, body: str, local: frozenset[str]) -> Suggestion:
    """Where the text sits on the three axes, with the evidence for each."""
    text = normalise(f"{title}\n{body}")
    horizon, horizon_why = _horizon(text)
    sphere, sphere_why = _sphere(text)
    region, region_why = _region(text, local)
    return Suggestion(
        horizon=horizon,
        sphere=sphere,
        region=region,
        reasons={"horizon": horizon_why, "sphere": sphere_why, "region": region_why},
    )
