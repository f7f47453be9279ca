"""Fact extraction measured on real Chinese emergency reports (the CEC corpus).

Usage: ``python bench/eval_cec.py [--data DIR] [--out FILE] [--quiet]``

The corpus is not part of the project: it lies in ``../shared/data/cec`` beside the repository
(``xml/<类别>/*.xml`` annotated, ``text/<类别>/*.txt`` the same reports as plain text whose first
line is the report time). Where it is absent the run says so and exits 0.

Gold counts, from the annotations
---------------------------------
CEC marks events, not totals: a report says "6人死亡" in its lead and "4人当场死亡……2人在途中死亡"
further down, each an ``<Event>`` with a ``<Denoter>`` (死亡, 受伤, 重伤, 轻伤, 伤亡…) and its
``<Participant>``. The gold count of a report is derived from them as follows:

* An event counts for deaths when its denoter is a death word (死亡, 身亡, 遇难, 丧生, 死…), for
  serious injuries when it is 重伤, 受重伤, 伤势严重…, for light injuries when it is 轻伤 or 轻微伤,
  and for injuries when it is 受伤, 伤, 撞伤, 骨折…; the denoter's type is not used (a few are typed
  ``emergency`` or ``action``). 伤亡 (a combined figure) gives no count.
* The count of an event is the sum of the numbers of people in its participants ("2名儿童"、"6名
  成人" is 8; "三男两女" is 5; a participant without a number next to numbered ones, "驾驶人吴某",
  is one person). Where no participant carries a number, the number right before the denoter in the
  event's text is used ("6人当场死亡", "1死"). Lower bounds count as their number ("10多人" is 10,
  "至少443人" is 443); "多人", "数百人" give no number.
* Events in a sentence about background figures (每年, 近3年, 历年, 从未…) are left out: they are
  not casualties of the reported event.
* Deaths = the largest count among death events (reports restate and update totals).
  Injuries = the largest of: an injuries count, a serious-injuries count, the sum of the serious
  and light counts stated in one sentence ("3人重伤，14人轻微伤" is 17).
* Where no event gives a number but a negated 伤亡/死亡/受伤 event says none ("未造成人员伤亡"),
  the gold is 0.
* Where casualty events exist but none gives a number ("女孩不幸身亡", "多人受伤"), the gold is
  *unknown* and the report is left out of that measure's scores altogether.
* Otherwise the report states no such casualties and the gold is *none*.

* Missing, trapped, evacuated and affected follow the same rules with their own denoters (失踪,
  失联; 被困, 困, 埋; 疏散, 转移, 撤离; 受灾), the largest count of the report being the gold.
* The event time and the place: the first ``<Time>`` and the first ``<Location>`` of the report's
  body (the report time line excluded). A time or place found is correct when its text and the
  annotated text overlap (one contains the other, or they share 4 or more characters in a row),
  so the measure is whether the extractor read the right words, not how it normalised them.

Scores
------
For each measure separately, over the reports whose gold is not unknown:
``precision = correct / reported`` and ``recall = correct / gold present``, where *reported* counts
reports for which the extractor gives a number, *gold present* those whose gold is a number (0
included), and *correct* those where both are the same number. A number reported where the gold is
none is a wrong report.

Hold-out: the patterns added for the measures beyond deaths and injuries were tuned looking only
at the 交通事故 reports' misses; the scores are given per category so that 火灾 and 地震 show how
the extractor does on reports it was not tuned on (``--by-category`` prints them; the JSON always
has them under ``by_category``, with ``tuned_on`` and ``held_out``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from xinbao.lib.facts import extract_facts, parse_number  # noqa: E402 - after the path set-up
from xinbao.lib.levels import Category, Level, suggest_level  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "cec"
DEFAULT_OUT = ROOT / "bench" / "results" / "eval_cec.json"
TARGET = 0.9

CATEGORIES = {
    "交通事故": Category.ACCIDENT,
    "火灾": Category.ACCIDENT,
    "地震": Category.NATURAL_DISASTER,
}

DEATH_WORDS = {"死亡", "死", "身亡", "丧生", "遇难", "死于", "罹难", "丧命", "殒命", "烧死", "撞死"}
SERIOUS_WORDS = {"重伤", "受重伤", "身受重伤", "身负重伤", "伤势严重", "受伤严重"}
LIGHT_WORDS = {"轻伤", "轻微伤", "受轻伤"}
INJURY_WORDS = {"受伤", "伤", "负伤", "撞伤", "灼伤", "骨折"}
COMBINED_WORDS = {"伤亡"}
MISSING_WORDS = {"失踪", "失联", "下落不明"}
TRAPPED_WORDS = {"被困", "困", "受困", "埋", "被埋", "掩埋"}
EVACUATED_WORDS = {"疏散", "转移", "撤离", "转移安置"}
AFFECTED_WORDS = {"受灾"}
EXTRA_KINDS: dict[str, set[str]] = {
    "missing": MISSING_WORDS,
    "trapped": TRAPPED_WORDS,
    "evacuated": EVACUATED_WORDS,
    "affected": AFFECTED_WORDS,
}
TUNED_ON = "交通事故"
# A negated event: annotated polarity="negative", or worded as "未造成人员伤亡", "无人员伤亡".
NEGATION = re.compile(r"(?:无|未|没有|没|未有|并无)(?:造成)?(?:任何)?(?:人员)?(?:伤亡|死亡|受伤)")
STATISTICS = re.compile(r"每年|年均|近[\d一二三四五六七八九十几]+年|历年|从未|多年来")

_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"
PEOPLE = re.compile(rf"(?<![数几上])(?P<num>{_NUM})(?:余|多)?(?:人|名|位|个|口|男|女)(?!岁)")
BARE = re.compile(rf"^(?:至少|约|超过|突破)?(?P<num>{_NUM})(?:余|多)?$")
BEFORE_DENOTER = re.compile(
    rf"(?<![数几上])(?P<num>{_NUM})(?:余|多)?(?:(?:人|名|位|个|口)[^，。,\d]{{0,6}})?$"
)

Gold = int | Literal["unknown"] | None
Kind = Literal["deaths", "serious", "light", "injuries"]


def _text(element: ET.Element) -> str:
    return re.sub(r"\s+", "", "".join(element.itertext())).translate(
        str.maketrans("０１２３４５６７８９", "0123456789")
    )


def _kind(word: str) -> Kind | Literal["combined"] | None:
    if word in DEATH_WORDS:
        return "deaths"
    if word in SERIOUS_WORDS:
        return "serious"
    if word in LIGHT_WORDS:
        return "light"
    if word in INJURY_WORDS:
        return "injuries"
    if word in COMBINED_WORDS:
        return "combined"
    return None


def _participant_count(texts: list[str]) -> int | None:
    total, numbered, unnumbered = 0, False, 0
    for text in texts:
        bare = BARE.match(text)
        if bare:
            values = [parse_number(bare["num"])]
        else:
            values = [parse_number(m["num"]) for m in PEOPLE.finditer(text)]
        found = [v for v in values if v is not None]
        if found:
            numbered = True
            total += sum(found)
        elif not re.search(r"多人|数[十百千万]|人员|部|车", text):
            unnumbered += 1
    return total + unnumbered if numbered else None


def _event_count(event: ET.Element, denoter: ET.Element) -> int | None:
    participants = [_text(p) for p in event if p.tag == "Participant"]
    count = _participant_count(participants)
    if count is not None:
        return count
    # The event's text up to its denoter ("6人当场死亡" with no participant marked).
    whole = _text(event)
    word = _text(denoter)
    before = whole[: whole.find(word)] if word in whole else ""
    m = BEFORE_DENOTER.search(before)
    return parse_number(m["num"]) if m else None


@dataclass
class GoldReport:
    deaths: Gold = None
    injuries: Gold = None
    missing: Gold = None
    trapped: Gold = None
    evacuated: Gold = None
    affected: Gold = None
    time: str | None = None
    place: str | None = None


def gold_from_xml(path: Path) -> GoldReport:
    """The gold deaths and injuries of one annotated report (rules in the module docstring)."""
    root = ET.parse(path).getroot()  # noqa: S314 - the local, trusted test corpus
    counts: dict[Kind, list[tuple[int, int]]] = {
        k: [] for k in ("deaths", "serious", "light", "injuries")
    }
    mentioned: set[str] = set()
    denied: set[str] = set()
    for index, sentence in enumerate(root.iter("Sentence")):
        if STATISTICS.search(_text(sentence)):
            continue
        for event in sentence.iter("Event"):
            if event.get("polarity") == "negative":
                # "暂无人员伤亡和财产损失报告": the denoter is 报告, the denial is in the text.
                said = _text(event)
                if "伤亡" in said:
                    denied.update(("deaths", "injuries"))
                if re.search("死亡|遇难", said):
                    denied.add("deaths")
                if "受伤" in said:
                    denied.add("injuries")
            for denoter in event.iter("Denoter"):
                kind = _kind(_text(denoter))
                if kind is None:
                    continue
                family = "deaths" if kind == "deaths" else "injuries"
                if event.get("polarity") == "negative" or NEGATION.search(_text(event)):
                    denied.update(("deaths", "injuries") if kind == "combined" else (family,))
                    continue
                if kind == "combined":
                    continue
                mentioned.add(family)
                count = _event_count(event, denoter)
                if count is not None:
                    counts[kind].append((index, count))
    report = GoldReport()
    _extra_gold(root, report)
    if counts["deaths"]:
        report.deaths = max(c for _, c in counts["deaths"])
    elif "deaths" in mentioned:
        report.deaths = "unknown"
    elif "deaths" in denied:
        report.deaths = 0
    sums: Counter[int] = Counter()
    for index, count in counts["serious"] + counts["light"]:
        sums[index] += count
    injury_values = [c for _, c in counts["injuries"] + counts["serious"]] + list(sums.values())
    if injury_values:
        report.injuries = max(injury_values)
    elif "injuries" in mentioned:
        report.injuries = "unknown"
    elif "injuries" in denied:
        report.injuries = 0
    return report


def _extra_gold(root: ET.Element, report: GoldReport) -> None:
    """Missing, trapped, evacuated, affected; the first annotated time and place of the body."""
    extra: dict[str, list[int]] = {kind: [] for kind in EXTRA_KINDS}
    mentioned: set[str] = set()
    for sentence in root.iter("Sentence"):
        if STATISTICS.search(_text(sentence)):
            continue
        for event in sentence.iter("Event"):
            if event.get("polarity") == "negative":
                continue
            for denoter in event.iter("Denoter"):
                word = _text(denoter)
                for kind, words in EXTRA_KINDS.items():
                    if word in words:
                        mentioned.add(kind)
                        count = _event_count(event, denoter)
                        if count is not None:
                            extra[kind].append(count)
    for kind, values in extra.items():
        gold: Gold = max(values) if values else ("unknown" if kind in mentioned else None)
        setattr(report, kind, gold)
    content = root.find("Content")
    scope = content if content is not None else root
    first_time = next(iter(scope.iter("Time")), None)
    first_place = next(iter(scope.iter("Location")), None)
    report.time = _text(first_time) if first_time is not None else None
    report.place = _text(first_place) if first_place is not None else None


def overlaps(found: str, gold: str) -> bool:
    """Whether two spans of text read the same words (containment or 4 characters in common)."""
    if not found or not gold:
        return False
    if found in gold or gold in found:
        return True
    shorter, longer = sorted((found, gold), key=len)
    return any(shorter[i : i + 4] in longer for i in range(len(shorter) - 3))


REPORT_TIME = re.compile(
    r"(?P<y>\d{4})[年\-/.](?P<m>\d{1,2})[月\-/.](?P<d>\d{1,2})日?\s*(?:(?P<H>\d{1,2})[:时](?P<M>\d{2}))?"
)


def read_report(path: Path) -> tuple[str, datetime | None]:
    """The body of a plain-text report and its report time (its first line)."""
    raw = path.read_text(encoding="utf-8-sig")
    first, _, body = raw.partition("\n")
    m = REPORT_TIME.search(first)
    when: datetime | None = None
    if m:
        try:
            when = datetime(
                int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0)
            )
        except ValueError:
            when = None
    if m is None:
        body = raw  # no report-time line: the whole file is the report
    return body, when


@dataclass
class Score:
    reported: int = 0
    gold_present: int = 0
    correct: int = 0
    unknown: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold_present if self.gold_present else 1.0

    def add_span(self, gold: str | None, found: str | None) -> bool:
        self.reported += found is not None
        self.gold_present += gold is not None
        ok = gold is not None and found is not None and overlaps(found, gold)
        self.correct += ok
        return ok or (gold is None and found is None)

    def add(self, gold: Gold, found: int | None) -> bool:
        if gold == "unknown":
            self.unknown += 1
            return True
        self.reported += found is not None
        self.gold_present += gold is not None
        ok = gold is not None and found == gold
        self.correct += ok
        return ok or (gold is None and found is None)


COUNT_FIELDS = ("missing", "trapped", "evacuated", "affected")
SPAN_FIELDS = ("time", "place")


def _fields() -> dict[str, Score]:
    return {name: Score() for name in ("deaths", "injuries", *COUNT_FIELDS, *SPAN_FIELDS)}


@dataclass
class Result:
    reports: int = 0
    #: Every measure (deaths and injuries included) over all reports, and per category.
    fields: dict[str, Score] = field(default_factory=_fields)
    by_category: dict[str, dict[str, Score]] = field(default_factory=dict)
    #: How many reports state each further fact (no gold: poisoned, relocated, losses).
    stated: Counter[str] = field(default_factory=Counter)
    levels: dict[str, dict[str, int]] = field(default_factory=dict)
    level_agreement: dict[str, int] = field(default_factory=lambda: {"same": 0, "graded": 0})
    misses: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def deaths(self) -> Score:
        return self.fields["deaths"]

    @property
    def injuries(self) -> Score:
        return self.fields["injuries"]


def evaluate(data: Path) -> Result:
    """Replay every annotated report through the extractor and score it against the gold."""
    result = Result()
    started = time.perf_counter()
    for xml_path in sorted((data / "xml").glob("*/*.xml")):
        folder = xml_path.parent.name
        text_path = data / "text" / folder / (xml_path.stem + ".txt")
        if not text_path.exists():
            continue
        gold = gold_from_xml(xml_path)
        body, when = read_report(text_path)
        facts = extract_facts(body, reference_time=when)
        deaths = facts.deaths.value if facts.deaths else None
        injuries = facts.injuries.value if facts.injuries else None
        serious = facts.serious_injuries.value if facts.serious_injuries else None
        result.reports += 1
        ok_deaths = result.deaths.add(gold.deaths, deaths)
        ok_injuries = result.injuries.add(gold.injuries, injuries)
        category_scores = result.by_category.setdefault(folder, _fields())
        category_scores["deaths"].add(gold.deaths, deaths)
        category_scores["injuries"].add(gold.injuries, injuries)
        for scores in (result.fields, category_scores):
            for name in COUNT_FIELDS:
                count = getattr(facts, name, None)
                scores[name].add(getattr(gold, name), count.value if count else None)
            scores["time"].add_span(
                gold.time, facts.event_time.span.text if facts.event_time else None
            )
            scores["place"].add_span(gold.place, facts.place.text if facts.place else None)
        for name in ("poisoned", "relocated", "direct_loss"):
            result.stated[name] += getattr(facts, name, None) is not None
        if not (ok_deaths and ok_injuries):
            result.misses.append(
                {
                    "report": f"{folder}/{xml_path.stem}",
                    "gold": asdict(gold),
                    "found": {"deaths": deaths, "injuries": injuries},
                    "evidence": {
                        "deaths": facts.deaths.span.text if facts.deaths else None,
                        "injuries": facts.injuries.span.text if facts.injuries else None,
                    },
                }
            )
        category = CATEGORIES.get(folder, Category.ACCIDENT)
        suggestion = suggest_level(
            deaths=deaths,
            serious_injuries=serious,
            direct_loss_yuan=facts.direct_loss_yuan,
            category=category,
        )
        per_level = result.levels.setdefault(folder, {level.name: 0 for level in Level})
        per_level[suggestion.level.name] += 1
        if isinstance(gold.deaths, int):
            # Deaths alone (the measure both sides have) grade the gold report.
            gold_level = suggest_level(
                deaths=gold.deaths, serious_injuries=None, direct_loss_yuan=None, category=category
            ).level
            found_level = suggest_level(
                deaths=deaths, serious_injuries=None, direct_loss_yuan=None, category=category
            ).level
            result.level_agreement["graded"] += 1
            result.level_agreement["same"] += gold_level == found_level
    result.seconds = time.perf_counter() - started
    return result


def as_json(result: Result) -> dict[str, Any]:
    def score(s: Score) -> dict[str, Any]:
        return {**asdict(s), "precision": round(s.precision, 4), "recall": round(s.recall, 4)}

    return {
        "reports": result.reports,
        "deaths": score(result.deaths),
        "injuries": score(result.injuries),
        "fields": {name: score(s) for name, s in result.fields.items()},
        "tuned_on": TUNED_ON,
        "held_out": sorted(c for c in result.by_category if c != TUNED_ON),
        "by_category": {
            category: {name: score(s) for name, s in scores.items()}
            for category, scores in sorted(result.by_category.items())
        },
        "stated_without_gold": dict(result.stated),
        "levels_suggested": result.levels,
        "level_agreement_by_deaths": result.level_agreement,
        "target": TARGET,
        "seconds": round(result.seconds, 3),
        "misses": result.misses,
    }


def meets_target(result: Result) -> bool:
    return all(
        value >= TARGET
        for s in (result.deaths, result.injuries)
        for value in (s.precision, s.recall)
    )


def _print_scores(scores: dict[str, Score]) -> None:
    print(
        f"{'measure':<10}{'reported':>10}{'gold':>8}{'correct':>9}{'unknown':>9}"
        f"{'precision':>11}{'recall':>8}"
    )
    for name, s in scores.items():
        print(
            f"{name:<10}{s.reported:>10}{s.gold_present:>8}{s.correct:>9}{s.unknown:>9}"
            f"{s.precision:>11.3f}{s.recall:>8.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the CEC folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to save the JSON")
    parser.add_argument("--quiet", action="store_true", help="no list of misses")
    args = parser.parse_args(argv)
    data: Path = args.data
    if not (data / "xml").is_dir() or not (data / "text").is_dir():
        print(f"eval_cec: skipped, no CEC corpus at {data} (needs xml/ and text/).")
        return 0
    result = evaluate(data)
    print(f"CEC fact extraction: {result.reports} reports, {result.seconds:.2f} s")
    _print_scores(result.fields)
    for category, scores in sorted(result.by_category.items()):
        role = "tuned on" if category == TUNED_ON else "held out"
        print(f"\n{category} ({role}):")
        _print_scores(scores)
    stated = ", ".join(f"{name} {n}" for name, n in sorted(result.stated.items()))
    print(f"\nStated, no gold to score against: {stated} (reports)")
    print("\nLevel suggested (decree 493, from the extracted numbers):")
    print(f"{'category':<10}" + "".join(f"{level.name:>6}" for level in Level))
    for folder, per_level in sorted(result.levels.items()):
        print(f"{folder:<10}" + "".join(f"{per_level[level.name]:>6}" for level in Level))
    agreement = result.level_agreement
    print(
        f"Level from extracted deaths = level from gold deaths: "
        f"{agreement['same']}/{agreement['graded']}"
    )
    if not args.quiet and result.misses:
        print(f"\nMisses ({len(result.misses)}):")
        for miss in result.misses:
            print(f"  {miss['report']}: gold {miss['gold']} found {miss['found']}")
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(as_json(result), ensure_ascii=False, indent=2), encoding="utf-8")
    verdict = "meets" if meets_target(result) else "misses"
    print(f"\nTarget precision and recall >= {TARGET}: {verdict}. Saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
