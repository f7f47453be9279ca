"""Key facts of an urgent report, pulled out of its Chinese text.

``extract_facts`` reads the casualties (deaths, injuries and the serious ones among them, missing,
trapped, poisoned or taken ill), the people evacuated, relocated and affected, the direct economic
loss, the event time and the place from a report, each with the span of text it came from, so
that a verification (核查) can show its evidence and compare one unit's report with another's.

It is a rule-based reader, not a language model: counts are recognised only next to the words
that say what they count ("3人死亡", "死亡人数上升至12人", "2死3伤", "重伤5人"), so dates, ages
("一名45岁男子"), phone numbers, vehicles ("3辆车") and rescuers ("10余名消防员赶到") are not taken
for casualties. Where a report states a count several times (a lead, a recap, an update), the
largest stated total is kept: news reports restate and raise totals ("死亡人数由5人上升到8人"),
they rarely split one count over several sentences. Injuries are the total of everyone hurt;
where a report gives only the parts ("3人重伤，14人轻微伤") their sum within one sentence counts.
Sentences about background statistics ("每年约有1800人死于…", "近3年已有…") are ignored.

Nothing here is written against particular reports: a count is a number, a measure word and a
verb from a small lexicon per category (中毒, 出现呕吐…症状; 疏散, 转移; 安置, 搬迁; 受灾, 受影响),
so it reads kinds of events the rules never saw. ``bench/eval_cec.py`` scores every fact per
category; the patterns beyond deaths and injuries were tuned on 交通事故 only. Times are read
against the report time in Beijing time ("昨日", "今晨", "3日凌晨", "上午10时许", "三月二十七日");
places are a road, an administrative chain or the words after 在/于, and ``Place.normalised``
drops the vicinity words around a name ("附近路段上", "境内").
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal

Bound = Literal["exact", "at_least", "about"]
CountKind = Literal[
    "deaths",
    "injuries",
    "serious_injuries",
    "light_injuries",
    "missing",
    "trapped",
    "evacuated",
    "relocated",
    "poisoned",
    "affected",
]


@dataclass(frozen=True)
class Span:
    """Where a fact was read: character offsets into the text and the text itself."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Count:
    """A number of people, with how exact the report says it is.

    ``bound`` is ``"at_least"`` for "至少5人", "10余人", "20多人", "超过300人" and ``"about"`` for
    "约2800人", "近百人"; the value is then the stated number itself.
    """

    value: int
    span: Span
    bound: Bound = "exact"


@dataclass(frozen=True)
class Mention:
    """One statement of a count in the text; ``Facts.mentions`` keeps them all as evidence."""

    kind: CountKind
    count: Count


@dataclass(frozen=True)
class Amount:
    """A sum of money in yuan ("直接经济损失约1.2亿元" is 120,000,000)."""

    yuan: Decimal
    span: Span
    bound: Bound = "exact"


@dataclass(frozen=True)
class When:
    """The event time; ``has_clock`` is false where the report gives only a day or a day part."""

    value: datetime
    span: Span
    has_clock: bool


@dataclass(frozen=True)
class Place:
    """The place as the report words it (no gazetteer: "四川省凉山彝族自治州会理县").

    ``normalised`` is the same place without the words around it that are no part of its name
    ("…庄头峪村附近路段上" is "…庄头峪村"; "京珠高速韶关段境内" is "京珠高速韶关段"), in half-width
    characters and without spaces, so that two reports of one place compare equal.
    """

    text: str
    span: Span

    @property
    def normalised(self) -> str:
        return normalise_place(self.text)


@dataclass(frozen=True)
class Facts:
    """The key facts of one report; ``None`` where the report does not state the fact."""

    deaths: Count | None = None
    injuries: Count | None = None
    serious_injuries: Count | None = None
    missing: Count | None = None
    trapped: Count | None = None
    evacuated: Count | None = None
    #: Resettled, housed elsewhere (安置, 搬迁): often the same people as the evacuated.
    relocated: Count | None = None
    #: Poisoned or taken ill (中毒, 出现呕吐腹泻等症状, 身体不适, 发病).
    poisoned: Count | None = None
    #: Affected by the event (受灾群众, 受影响人口, 波及…人).
    affected: Count | None = None
    direct_loss: Amount | None = None
    event_time: When | None = None
    place: Place | None = None
    mentions: tuple[Mention, ...] = field(default=())

    @property
    def direct_loss_yuan(self) -> Decimal | None:
        return self.direct_loss.yuan if self.direct_loss else None


# Full-width digits and the full-width point map one character to one, so offsets survive.
_WIDE = str.maketrans("０１２３４５６７８９．", "0123456789.")

_CN = "零〇一二两三四五六七八九十百千万亿"
_NUM = rf"(?:\d+(?:\.\d+)?[万亿]?|[{_CN}]+)"
_PRE = r"(?:至少|最少|超过|超|逾|多达|高达|近|约|大约|共计|共有|共|总计|累计)"
# Not after 数/几/好 ("数万人", "好几人") nor 上百/上千/上万: those are no numbers.
_COUNT = rf"(?P<pre>{_PRE})?(?<![数几好])(?!(?<=上)[百千万])(?P<num>{_NUM})(?P<suf>余|多|几|来)?"
_CLS = r"(?:人|名|位|个|口|男|女)"
# A count of people: "3人", "10余名", "两位", "一家6口" (the "一家" is just text before it).
_PEOPLE = rf"{_COUNT}{_CLS}"
_PEOPLE_START = rf"{_NUM}(?:余|多|几)?{_CLS}"
# The words between a count and its verb ("6名乘客不幸", "１人在送往医院的途中"): no punctuation,
# no other count of people, no word that is itself about death or injury. Ages ("45岁") may appear.
_GAP_CHAR = r"[^\d，。；;,！？!?、：:\s（）()\n死亡伤丧罹难踪联困]"
_GAP = rf"(?:(?!{_PEOPLE_START})(?:\d+岁|[（(][^（）()]{{1,16}}[）)]|{_GAP_CHAR}))"
_GAP_SHORT = rf"{_GAP}{{0,14}}?"
# The words between a verb and the count that follows it ("转移受灾群众9496人", "死亡人数已达").
_FILL = r"[^\d，。；;,！？!?、：:\s（）()\n]{0,10}?"
# "由12人上升至26人", "已由12人…": the earlier figure of an update is read past, not taken.
_FROM = rf"(?:[^\d，。；;,！？!?、：:\s]{{0,4}}?由{_NUM}(?:余|多)?{_CLS}?)?"

# "死亡或失踪" is a combined figure, not a death count.
_DEATH_V = (
    r"(?:死亡|身亡|遇难|丧生|罹难|殒命|丧命|不治|死于|[撞烧压砸熏炸淹闷轧碾]死|亡(?![故人]))"
    r"(?![或和及、]失踪|[或和及、]下落不明)"
)
_SERIOUS_V = (
    r"(?:受重伤|身受重伤|身负重伤|重伤|伤势较重|伤势严重|伤情较重|伤情严重|伤重|受伤较重|受伤严重)"
)
_LIGHT_V = r"(?:受轻伤|轻伤|轻微伤|受轻微伤)"
_INJURY_V = (
    rf"(?P<serious>{_SERIOUS_V})|(?P<light>{_LIGHT_V})|(?:不同程度)?(?:受伤|负伤|受了伤|[烧灼砸撞摔]伤)"
    r"|伤(?![亡害心及势情痕口残员者])"
)

# Taken ill: poisoned, or a symptom from a general lexicon ("出现呕吐、腹泻等症状", "感到头晕").
_SYMPTOM = r"(?:呕吐|腹泻|腹痛|头晕|头痛|恶心|发热|发烧|胸闷|呼吸困难|乏力|皮疹|咳嗽)"
_ILL_V = (
    rf"(?:(?:集体|食物|一氧化碳|煤气|燃气|气体|农药)?中毒|发病|患病|感染|身体不适|不适"
    rf"|(?:出现|有|感到|伴有){_SYMPTOM})"
)

_RAW_PATTERNS: tuple[tuple[CountKind, str], ...] = (
    ("deaths", rf"{_PEOPLE}{_GAP_SHORT}{_DEATH_V}"),
    ("deaths", rf"(?:死亡|遇难|丧生|罹难)(?:者|人数|人员)?{_FILL}{_FROM}{_FILL}{_PEOPLE}"),
    ("injuries", rf"{_PEOPLE}{_GAP_SHORT}(?:{_INJURY_V})"),
    (
        "injuries",
        rf"(?:(?P<serious>重伤)|(?P<light>轻伤|轻微伤)|受伤)(?:者|人数|人员)?"
        rf"{_FILL}{_FROM}{_FILL}{_PEOPLE}",
    ),
    ("missing", rf"{_PEOPLE}{_GAP_SHORT}(?:失踪|失联|下落不明)"),
    ("missing", rf"(?:失踪|失联)(?:者|人数|人员)?{_FILL}{_FROM}{_FILL}{_PEOPLE}"),
    ("trapped", rf"{_PEOPLE}{_GAP_SHORT}(?:被困|受困|被埋|被压)"),
    ("trapped", rf"(?:被困|受困|被埋)(?:者|人数|人员|群众)?{_FILL}{_PEOPLE}"),
    ("evacuated", rf"{_PEOPLE}{_GAP_SHORT}(?:疏散|转移|撤离|避险)"),
    ("evacuated", rf"(?:疏散|转移|撤离|安置)(?:安置)?{_FILL}{_PEOPLE}"),
    ("relocated", rf"{_PEOPLE}{_GAP_SHORT}(?:得到|获得|被|已)?(?:安置|搬迁)"),
    (
        "relocated",
        rf"(?:安置|搬迁)(?:受灾|转移|疏散)?(?:群众|人员|居民|村民|人口)?{_FILL}{_PEOPLE}",
    ),
    ("poisoned", rf"{_PEOPLE}{_GAP_SHORT}{_ILL_V}"),
    (
        "poisoned",
        rf"(?:中毒|发病|不适|患病)(?:者|人数|人员|患者|病例)?{_FILL}{_FROM}{_FILL}{_PEOPLE}",
    ),
    ("affected", rf"{_PEOPLE}{_GAP_SHORT}(?:受灾|受到影响|受影响|受波及)"),
    (
        "affected",
        rf"(?:受灾|受影响|受到影响|波及|影响)(?:群众|人口|人数|人员|居民|村民|学生|住户)?"
        rf"{_FILL}{_PEOPLE}",
    ),
)
_PATTERNS = tuple((kind, re.compile(pattern)) for kind, pattern in _RAW_PATTERNS)
# A count joined to the next one by 和/及/、 ("5名研究人员及1名司机受伤" is 6 people).
# "三男两女" joins without a word.
_CONJUNCT = re.compile(rf"(?:{_PEOPLE}{_GAP_SHORT}(?:以及|及|和|与|、)|(?P<men>{_NUM})男)$")

# "2死3伤", "二死二伤", "两死两重伤", "1死": the headline shorthand. A bare number is taken only
# right before 死/伤, never before 死伤 (a combined figure) or 死于.
_SHORT_DEATH = re.compile(rf"(?<![\d{_CN}]){_COUNT}人?死(?![亡于伤者])")
_SHORT_INJURY = re.compile(
    rf"死[、，,\s]?{_COUNT}人?(?:(?P<serious>重)|(?P<light>轻))?伤(?![亡者员势情])"
)

_DENIAL = re.compile(
    r"(?:无|未|没有|并无|并未|未有|没|无一)[^，。；;,！？!?\d]{0,10}?(?P<what>伤亡|死亡|受伤|伤者)"
    r"|未(?:收到|接到)[^，。；;！？!?\d]{0,14}?(?P<heard>伤亡|死亡|受伤)[^，。；;！？!?]{0,12}?报告"
)
_NEGATED = re.compile(r"幸免|免于|未|没有|并无|无一")

# A sentence about background figures, not about this event.
_STATISTICS = re.compile(
    r"每年|年均|平均每|近[\d一二三四五六七八九十几]+年|历年|去年|前年|今年以来|多年来|历史上|从未|同比"
)

_LOSS = re.compile(
    rf"(?:直接)?(?:经济)?损失[^，。；;！？\d]{{0,6}}?(?P<pre>{_PRE}|达|逾)?"
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(?P<suf>余|多)?(?P<unit>亿|万)?元"
)

_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


def parse_number(text: str) -> int | None:
    """The integer a numeral stands for: "12", "1.2万", "两", "二十八", "百", "九千二百"."""
    text = text.translate(_WIDE)
    multiplier = 1
    if text and text[-1] in "万亿" and text[:-1].replace(".", "", 1).isdigit():
        multiplier = 10_000 if text[-1] == "万" else 100_000_000
        text = text[:-1]
    if text.replace(".", "", 1).isdigit():
        try:
            return int(Decimal(text) * multiplier)
        except InvalidOperation:  # pragma: no cover - the regex admits only digits and a point
            return None
    if text[:1] in "十百千万亿":
        text = "一" + text  # "十三", "百余" are read as 一十三, 一百
    text = text.replace("〇", "零")
    if len(text) > 1 and all(ch in "零一二两三四五六七八九" for ch in text):
        return None  # digit-by-digit ("二〇〇八") is a year or a code, not a count
    import cn2an  # imported on first use: loading it takes a third of a second

    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError):
        return None
    return int(value)


def _bound(pre: str | None, suf: str | None) -> Bound:
    if pre in {"约", "大约", "近"}:
        return "about"
    if suf or pre in {"至少", "最少", "超过", "超", "逾", "多达", "高达"}:
        return "at_least"
    return "exact"


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    end_match = _SENTENCE_END.search(text, pos)
    return start, end_match.start() if end_match else len(text)


def _in_statistics(text: str, pos: int) -> bool:
    start, end = _sentence_bounds(text, pos)
    return bool(_STATISTICS.search(text, start, end))


def _kind_of(kind: CountKind, m: re.Match[str]) -> CountKind:
    groups = m.groupdict()
    if kind == "injuries" and groups.get("serious"):
        return "serious_injuries"
    if kind == "injuries" and groups.get("light"):
        return "light_injuries"
    return kind


def _with_conjuncts(text: str, start: int, value: int) -> tuple[int, int]:
    """Add the counts joined to this one from the left; the new start and the total."""
    while True:
        m = _CONJUNCT.search(text, max(0, start - 40), start)
        parsed = parse_number(m["num"] or m["men"]) if m else None
        if m is None or parsed is None:
            return start, value
        start, value = m.start(), value + parsed


def _mentions(text: str) -> list[Mention]:
    found: list[Mention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            value = parse_number(m["num"])
            if value is None or _NEGATED.search(m[0]) or _in_statistics(text, m.start()):
                continue
            start = m.start()
            if m.start("num") - len(m["pre"] or "") == start:  # the count comes first
                start, value = _with_conjuncts(text, start, value)
            span = Span(start, m.end(), text[start : m.end()])
            bound = _bound(m["pre"], m["suf"])
            found.append(Mention(_kind_of(kind, m), Count(value, span, bound)))
    shorthand: tuple[tuple[CountKind, re.Pattern[str]], ...] = (
        ("deaths", _SHORT_DEATH),
        ("injuries", _SHORT_INJURY),
    )
    for kind, pattern in shorthand:
        for m in pattern.finditer(text):
            value = parse_number(m["num"])
            if value is None or _in_statistics(text, m.start()):
                continue
            start = m.start("num") - len(m["pre"] or "")
            span = Span(start, m.end(), text[start : m.end()])
            bound = _bound(m["pre"], m["suf"])
            found.append(Mention(_kind_of(kind, m), Count(value, span, bound)))
    found.sort(key=lambda mention: mention.count.span.start)
    return _dedupe(found)


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    """One mention per stretch of text and kind: two patterns may read the same words."""
    kept: list[Mention] = []
    for mention in mentions:
        span = mention.count.span
        if any(
            other.kind == mention.kind
            and other.count.span.start < span.end
            and span.start < other.count.span.end
            for other in kept
        ):
            continue
        kept.append(mention)
    return kept


def _largest(counts: list[Count]) -> Count | None:
    # The largest stated total; among equals the latest, which is the most recent statement.
    best: Count | None = None
    for count in counts:
        if best is None or count.value >= best.value:
            best = count
    return best


# Counts that add up: "1人当场死亡，3人在送医途中死亡" is 4 deaths. Only counts next to each
# other in one sentence, joined by a comma, in a sentence that does not already give a total.
_TOTAL_WORDS = re.compile(r"其中|共|总|包括|含|分别|累计")
_JOIN = re.compile(r"[，,](?:另有|另|还有|又有)?[^\d，。；;,！？!?]{0,4}")


def _running_sums(text: str, counts: list[Count]) -> list[Count]:
    sums: list[Count] = []
    run: list[Count] = []

    def close() -> None:
        if len(run) > 1:
            start, end = run[0].span.start, run[-1].span.end
            if not _TOTAL_WORDS.search(text, *_sentence_bounds(text, start)):
                total = sum(c.value for c in run)
                bound: Bound = "exact" if all(c.bound == "exact" for c in run) else "at_least"
                sums.append(Count(total, Span(start, end, text[start:end]), bound))
        run.clear()

    for count in sorted(counts, key=lambda c: c.span.start):
        if run and not _JOIN.fullmatch(text, run[-1].span.end, count.span.start):
            close()
        run.append(count)
    close()
    return sums


def _deaths(text: str, mentions: list[Mention]) -> Count | None:
    counts = [m.count for m in mentions if m.kind == "deaths"]
    return _largest(counts + _running_sums(text, counts))


def _injury_total(text: str, mentions: list[Mention]) -> Count | None:
    general = [m.count for m in mentions if m.kind == "injuries"]
    parts = [m.count for m in mentions if m.kind in ("serious_injuries", "light_injuries")]
    candidates = general + parts
    by_sentence: dict[tuple[int, int], list[Count]] = {}
    for count in parts:
        by_sentence.setdefault(_sentence_bounds(text, count.span.start), []).append(count)
    for counts in by_sentence.values():
        if len(counts) > 1:
            start, end = counts[0].span.start, counts[-1].span.end
            bound: Bound = "exact" if all(c.bound == "exact" for c in counts) else "at_least"
            total = sum(c.value for c in counts)
            candidates.append(Count(total, Span(start, end, text[start:end]), bound))
    return _largest(candidates)


def _denials(text: str) -> tuple[Count | None, Count | None]:
    deaths: Count | None = None
    injuries: Count | None = None
    for m in _DENIAL.finditer(text):
        if _in_statistics(text, m.start()):
            continue  # "从未发生类似的人员伤亡事故" says nothing about this event
        span = Span(m.start(), m.end(), m[0])
        what = m["what"] or m["heard"]
        if what in ("伤亡", "死亡") and deaths is None:
            deaths = Count(0, span)
        if what in ("伤亡", "受伤", "伤者") and injuries is None:
            injuries = Count(0, span)
    return deaths, injuries


def _loss(text: str) -> Amount | None:
    best: Amount | None = None
    for m in _LOSS.finditer(text):
        if _in_statistics(text, m.start()):
            continue
        raw = m["num"]
        if raw.replace(".", "", 1).isdigit():
            number = Decimal(raw)
        else:
            parsed = parse_number(raw)
            if parsed is None:
                continue
            number = Decimal(parsed)
        unit = {"亿": Decimal(100_000_000), "万": Decimal(10_000)}.get(m["unit"] or "", Decimal(1))
        yuan = number * unit
        if yuan == yuan.to_integral_value():
            yuan = yuan.quantize(Decimal(1))
        amount = Amount(yuan, Span(m.start(), m.end(), m[0]), _bound(m["pre"], m["suf"]))
        if best is None or amount.yuan >= best.yuan:
            best = amount
    return best


# Event time. A date ("2026年7月3日", "7月3日", "3日", "昨天") with an optional day part and clock.
_DAY_PART_WORDS = (
    r"凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚间|夜间|夜里|深夜|午夜|半夜|当晚|晚"
)
_DAY_PART = rf"(?P<part>{_DAY_PART_WORDS})"
_TIME = re.compile(
    r"(?:(?:(?P<year>\d{4})年)?(?:(?P<month>\d{1,2}|十[一二]?|[一二三四五六七八九])月)?"
    r"(?P<day>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号]"
    r"|(?P<rel>今天|今日|昨天|昨日|前天|前日|当天|当日|今晨|今早|今晚|昨晨|昨晚|昨夜|今天凌晨)"
    # No date: a day part and a clock ("上午10时许"), read on the day of the report.
    rf"|(?=(?:{_DAY_PART_WORDS})(?:\d{{1,2}}|[零一二两三四五六七八九十]{{1,3}})[时点]))"
    rf"(?:{_DAY_PART})?"
    r"(?:(?P<hour>\d{1,2}|[零一二两三四五六七八九十]{1,3})[时点]"
    r"(?:(?P<minute>\d{1,2})分|(?P<half>半)|(?P<about>许|多|左右))?)?"
)
_PART_HOUR = {
    "凌晨": 3, "清晨": 6, "早上": 7, "早晨": 7, "上午": 9, "中午": 12, "下午": 15, "傍晚": 18,
    "晚上": 20, "晚间": 20, "夜间": 22, "夜里": 22, "深夜": 23, "午夜": 0, "半夜": 1, "当晚": 20,
    "晚": 20,
}  # fmt: skip
_AFTERNOON = {"下午", "傍晚", "晚上", "晚间", "夜间", "夜里", "深夜", "当晚", "晚"}
_REL_DAYS = {
    "今天": 0, "今日": 0, "当天": 0, "当日": 0, "今晨": 0, "今早": 0, "今晚": 0, "今天凌晨": 0,
    "昨天": -1, "昨日": -1, "昨晨": -1, "昨晚": -1, "昨夜": -1, "前天": -2, "前日": -2,
}  # fmt: skip
# The day part a relative day word implies when none follows it ("今晨" is early morning).
_REL_PART = {
    "今晨": "清晨", "今早": "早上", "昨晨": "清晨", "今晚": "晚上", "昨晚": "晚上", "昨夜": "夜间",
    "今天凌晨": "凌晨",
}  # fmt: skip


# Reports state times in Beijing time: dates and clocks are read in the office's zone.
OFFICE_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def _office_time(reference: datetime | None) -> datetime:
    """The reference in office time; a naive one is taken as office time already."""
    if reference is None:
        return datetime.now(OFFICE_ZONE)
    if reference.tzinfo is None:
        return reference.replace(tzinfo=OFFICE_ZONE)
    return reference.astimezone(OFFICE_ZONE)


def _event_time(text: str, reference: datetime | None) -> When | None:
    reference = _office_time(reference)
    for m in _TIME.finditer(text):
        when = _resolve_time(m, reference)
        if when is not None:
            return when
    return None


def _resolve_time(m: re.Match[str], reference: datetime) -> When | None:
    base = reference
    if m["rel"]:
        day = base + timedelta(days=_REL_DAYS[m["rel"]])
        year, month, date = day.year, day.month, day.day
    elif not m["day"]:
        if not m["hour"]:
            return None
        year, month, date = base.year, base.month, base.day
    else:
        if not m["day"].isdigit() and not m["month"]:
            return None  # "三日" alone is as often three days as the third
        year = int(m["year"]) if m["year"] else base.year
        month = (parse_number(m["month"]) or 0) if m["month"] else base.month
        date = parse_number(m["day"]) or 0
    part = m["part"] or _REL_PART.get(m["rel"] or "")
    hour: int | None = None
    if m["hour"]:
        hour = parse_number(m["hour"])
        if hour is None:
            return None
        if part in _AFTERNOON and hour < 12:
            hour += 12
        elif part == "中午" and hour < 6:
            hour += 12
    minute = int(m["minute"]) if m["minute"] else (30 if m["half"] else 0)
    has_clock = hour is not None
    if hour is None:
        hour = _PART_HOUR.get(part, 0) if part else 0
    try:
        value = base.replace(year=year, month=month, day=date, hour=hour % 24, minute=minute)
    except ValueError:
        return None  # "32日", "13月": not a date
    value = value.replace(second=0, microsecond=0)
    if not m["day"] and not m["rel"]:
        # A clock alone is the latest such time not after the report ("晚8时" read at 07:00).
        if value > reference + timedelta(hours=1):
            value -= timedelta(days=1)
        return When(value, Span(m.start(), m.end(), m[0]), has_clock)
    # A date without a year or month is the latest such date not after the report.
    if value > reference + timedelta(days=1):
        if not m["month"] and not m["year"] and not m["rel"]:
            prev_month = (value.replace(day=1) - timedelta(days=1)).replace(day=1)
            try:
                value = value.replace(year=prev_month.year, month=prev_month.month)
            except ValueError:
                return None
        elif not m["year"] and not m["rel"]:
            value = value.replace(year=value.year - 1)
    return When(value, Span(m.start(), m.end(), m[0]), has_clock)


# Place: an administrative chain ("四川省凉山彝族自治州会理县", "密云县庄头峪村") or the words after
# 在/于 up to the verb ("在京珠高速韶关段发生").
_ADMIN = r"(?:省|自治区|市|自治州|州|地区|盟|县|自治县|旗|区|镇|乡|街道|村|社区|屯)"
# A character of a place name: any Han character but the function words and time words that
# stand before names in a sentence ("记者从合肥市获悉", "一辆从贵州开来", "昨天在京珠高速").
_NOT_NAME = (
    "在于从到至往向驶车的了时许与及并将被把对为是由据称辆个日月年点分午晚晨昨今记者发生经沿其该这那"
)
_NAME_CH = rf"[^\x00-\u4dff\ua000-\uffff{_NOT_NAME}]"
_ADMIN_CHAIN = re.compile(
    rf"(?:{_NAME_CH}{{1,7}}?{_ADMIN}(?![\u4e00-\u9fff]{{0,1}}(?:长|委|民|政府|领导|局|部门|医院|人)))+"
)
_AT = re.compile(
    r"(?:在|于|位于)(?P<place>[^\s，。；;,！？!?、：:“”\"（）()]{2,24}?)"
    r"(?:发生|附近|处|境内|路段|一带|突发|起火|失火|相撞|翻车|侧翻|坠|燃起|爆炸|的一起)"
)
_NOT_PLACE = re.compile(r"[时分日月年前后]$|事故|当时|现场|目前")
_LEAD_WORDS = re.compile(r"^(?:位于|在|于|到|从|至|据|的)")


# Words around a place that are no part of its name: "附近路段上", "境内", "一带", "交界处".
_PLACE_TAIL = re.compile(r"(?:附近|一带|周边|境内|辖区内?|路段|地段|交界处|处|内|上|旁|边|里)+$")


def normalise_place(text: str) -> str:
    """A place without the vicinity words around its name, half-width, without spaces."""
    text = re.sub(r"\s+", "", text.translate(_WIDE))
    text = _LEAD_WORDS.sub("", text)
    stripped = _PLACE_TAIL.sub("", text)
    return stripped if len(stripped) >= 2 else text


# A road: "京珠高速韶关段", "312国道锡沪段", "沪杭高速公路", "北六环…公里处".
_ROAD = re.compile(
    rf"(?:{_NAME_CH}{{0,4}}[A-Z]?\d{{1,4}}|{_NAME_CH}{{1,8}}?)"
    r"(?:高速公路|高速|国道|省道|快速路|环线|环路|公路|大道)"
    rf"(?:{_NAME_CH}{{1,8}}?段)?(?:\d+(?:\.\d+)?公里处)?"
)


def _place(text: str) -> Place | None:
    candidates: list[Place] = []
    for m in _AT.finditer(text):
        place = m["place"]
        if not place[0].isdigit() and not _NOT_PLACE.search(place):
            candidates.append(Place(place, Span(m.start("place"), m.end("place"), place)))
            break
    for m in _ADMIN_CHAIN.finditer(text):
        lead = _LEAD_WORDS.match(m[0])
        start = m.start() + (lead.end() if lead else 0)
        chain = text[start : m.end()]
        if len(chain) >= 3 and not _NOT_PLACE.search(chain):
            candidates.append(Place(chain, Span(start, m.end(), chain)))
            break
    for m in _ROAD.finditer(text):
        if len(m[0]) >= 4:
            candidates.append(Place(m[0], Span(m.start(), m.end(), m[0])))
            break
    if not candidates:
        return None
    return min(candidates, key=lambda place: place.span.start)


def event_time(text: str, *, reference_time: datetime | None = None) -> When | None:
    """``extract_facts(...).event_time`` alone, at a fraction of the cost (the same reading)."""
    return _event_time(text.translate(_WIDE), reference_time)


def extract_facts(text: str, *, reference_time: datetime | None = None) -> Facts:
    """The key facts stated in ``text``; relative dates are read against ``reference_time``.

    ``reference_time`` is when the report was written (its report time); without it "昨天" and a
    date without a year are read against the current time. Dates and clocks are read in Beijing
    time (Asia/Shanghai) whatever the reference's zone; a naive reference is taken as Beijing
    time. The event time is an aware datetime in that zone.
    """
    text = text.translate(_WIDE)
    mentions = _mentions(text)

    def largest(kind: CountKind) -> Count | None:
        return _largest([m.count for m in mentions if m.kind == kind])

    deaths = _deaths(text, mentions)
    injuries = _injury_total(text, mentions)
    denied_deaths, denied_injuries = _denials(text)
    return Facts(
        deaths=deaths if deaths is not None else denied_deaths,
        injuries=injuries if injuries is not None else denied_injuries,
        serious_injuries=largest("serious_injuries"),
        missing=largest("missing"),
        trapped=largest("trapped"),
        evacuated=largest("evacuated"),
        relocated=largest("relocated"),
        poisoned=largest("poisoned"),
        affected=largest("affected"),
        direct_loss=_loss(text),
        event_time=_event_time(text, reference_time),
        place=_place(text),
        mentions=tuple(mentions),
    )
