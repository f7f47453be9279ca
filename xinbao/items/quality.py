"""The quality check an item gets before it is submitted: advice with reasons, never a block.

A check is a function that reads a :class:`Draft` (what the writer has typed so far, or a saved
item) and returns the :class:`Advice` it has, each with a reason the writer can act on. Checks
live in a registry so that other parts of the office add their own::

    from xinbao.items.quality import Advice, Draft, register_check

    @register_check
    def similar_items(draft: Draft) -> list[Advice]:
        ...

``run_checks(draft)`` runs every registered check in the order they were registered; a check that
fails with an exception is skipped (logged), so one broken check never stops a submission. The
reporter sees the advice on the item form, and again on submit with "submit anyway"; the desk sees
the same marks on the item it receives (``check_item``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext as _

from xinbao.lib.facts import extract_facts

if TYPE_CHECKING:
    from xinbao.accounts.models import User
    from xinbao.items.models import Item
    from xinbao.org.models import Unit

log = logging.getLogger(__name__)

Severity = Literal["warning", "info"]


@dataclass(frozen=True)
class Draft:
    """What a check reads: the fields of an item as typed (or as saved)."""

    title: str
    body: str
    kind: str
    urgency: str
    place: str = ""
    event_at: datetime | None = None
    unit: Unit | None = None
    #: The saved item when one exists (editing, or the desk reading a received item).
    item: Item | None = None
    #: Who is asking: the writer on the form, an editor on the desk.
    user: User | None = None
    #: When the text was written, for reading "昨日", "今晨" (defaults to now).
    written_at: datetime | None = None

    @classmethod
    def from_item(cls, item: Item, *, user: User | None = None) -> Draft:
        return cls(
            title=item.title,
            body=item.body,
            kind=item.kind,
            urgency=item.urgency,
            place=item.place,
            event_at=item.event_at,
            unit=item.unit,
            item=item,
            user=user,
            written_at=item.submitted_at or item.created_at,
        )


@dataclass(frozen=True)
class Advice:
    """One piece of advice: what to look at and why.

    ``code`` is a stable name ("missing_elements", "vague"), ``message`` says what is advised and
    ``reason`` why; both are already translated. ``severity`` is "warning" where the item will
    likely be returned without the change, "info" for a suggestion.
    """

    code: str
    message: str
    reason: str
    severity: Severity = "warning"


Check = Callable[[Draft], Iterable[Advice]]

_CHECKS: list[Check] = []


def register_check(fn: Check) -> Check:
    """Add a check to the registry (usable as a decorator); registering twice adds it once."""
    if fn not in _CHECKS:
        _CHECKS.append(fn)
    return fn


def unregister_check(fn: Check) -> None:
    """Take a check out of the registry (tests that register a check of their own)."""
    if fn in _CHECKS:
        _CHECKS.remove(fn)


def registered_checks() -> tuple[Check, ...]:
    return tuple(_CHECKS)


def run_checks(draft: Draft) -> list[Advice]:
    """The advice of every registered check, warnings first, in registration order."""
    advice: list[Advice] = []
    for check in _CHECKS:
        try:
            advice.extend(check(draft))
        except Exception:  # one broken check must never stop a writer from submitting
            log.exception("quality check %s failed", getattr(check, "__name__", check))
    return sorted(advice, key=lambda a: a.severity != "warning")


def check_item(item: Item, *, user: User | None = None) -> list[Advice]:
    """The advice for a saved item, as the desk sees it."""
    return run_checks(Draft.from_item(item, user=user))


# -- The office's own checks ----------------------------------------------------------------------

# What happened: a general lexicon of occurrence verbs and event nouns, not of particular reports.
_WHAT = re.compile(
    r"发生|出现|造成|导致|引发|突发|爆发|起火|失火|着火|火灾|爆炸|坍塌|垮塌|倒塌|泄漏|泄露|中毒|滑坡"
    r"|泥石流|洪水|洪涝|内涝|溃堤|决口|管涌|地震|相撞|侧翻|翻车|坠落|坠亡|溺水|踩踏|冲突|聚集|停电|停水"
    r"|疫情|感染|事故|事件|险情|灾情|案件|受灾|被困|失踪"
)
# Measures taken: rescue, treatment, evacuation, control, investigation, reporting.
_MEASURES = re.compile(
    r"救援|抢救|救治|送医|送往医院|疏散|转移|撤离|安置|处置|抢险|排查|封控|封锁|管控|警戒|启动|预案"
    r"|应急响应|赶赴|赶到|到达现场|调查|部署|成立|派出|调集|扑灭|控制|善后|稳控|救助|核查|上报|报告"
)
# Casualties said to be unknown yet still answer the question ("伤亡情况正在核实").
_CASUALTIES_PENDING = re.compile(r"伤亡[^。；;！？!?]{0,8}?(?:核实|统计|了解|清点|不详|不明|确认)")

# The three parts of an analysis or a proposal.
_PARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("situation", re.compile(r"基本情况|总体情况|主要情况|情况如下|现状|概况|态势|情况[:：]")),
    ("analysis", re.compile(r"原因|分析|问题|研判|特点|趋势|风险|矛盾|不足|困难")),
    ("measures", re.compile(r"建议|对策|措施|意见|举措|下一步|应当|需要|要加强|建立健全")),
)

# 一般化 wording: phrases that say an effort was made without saying what it achieved.
VAGUE_PHRASES = (
    "高度重视", "积极开展", "认真开展", "深入开展", "广泛开展", "扎实开展", "积极推进", "扎实推进",
    "稳步推进", "有序推进", "大力推进", "切实加强", "进一步加强", "不断加强", "认真落实",
    "狠抓落实", "取得明显成效", "取得显著成效", "取得良好效果", "取得积极成效", "成效明显",
    "成效显著", "效果良好", "反响良好", "不断提高", "不断提升", "进一步提升", "明显提升",
    "全面提升", "积极作用", "有力保障", "营造了良好氛围", "形成合力", "精心组织",
    "周密部署", "层层落实",
)  # fmt: skip
_VAGUE = re.compile("|".join(VAGUE_PHRASES))
# A figure: digits, or a Chinese numeral with what it counts.
_FIGURE = re.compile(
    r"[0-9０-９]|百分之|[一二两三四五六七八九十百千万亿]+"
    r"(?:个|人|名|位|家|起|次|项|元|件|户|场|所|条|批|处|座|辆|吨|亩|公里|米|天|倍|成)"
)

# (shortest, longest) characters of the body that suit each kind.
LENGTHS: dict[str, tuple[int, int]] = {
    "dynamic": (60, 1500),
    "comprehensive": (300, 4000),
    "analysis": (400, 5000),
    "assessment": (400, 5000),
    "proposal": (400, 5000),
}


def _list(parts: list[str]) -> str:
    return str(_(", ")).join(parts)


def _chars(text: str) -> int:
    return len(re.sub(r"\s+", "", text))


@register_check
def missing_elements(draft: Draft) -> list[Advice]:
    """An urgent item says when, where, what, who was hurt and what is being done."""
    from xinbao.items.models import Urgency

    if draft.urgency == Urgency.ROUTINE:
        return []
    text = f"{draft.title}。{draft.body}"
    facts = extract_facts(text, reference_time=draft.written_at)
    missing: list[str] = []
    if draft.event_at is None and facts.event_time is None:
        missing.append(str(_("the time of the event")))
    if not draft.place.strip() and facts.place is None:
        missing.append(str(_("the place")))
    if not _WHAT.search(text):
        missing.append(str(_("what happened")))
    counts = (
        facts.deaths,
        facts.injuries,
        facts.missing,
        facts.trapped,
        facts.poisoned,
        facts.evacuated,
        facts.affected,
    )
    if all(c is None for c in counts) and not _CASUALTIES_PENDING.search(text):
        missing.append(str(_("casualties (or that there are none)")))
    if not _MEASURES.search(draft.body):
        missing.append(str(_("the measures taken")))
    if not missing:
        return []
    return [
        Advice(
            code="missing_elements",
            message=_("Say %(elements)s.") % {"elements": _list(missing)},
            reason=str(
                _(
                    "An urgent report states the time, the place, what happened, the casualties "
                    "and the measures taken; the office asks for any that are missing at once."
                )
            ),
        )
    ]


@register_check
def structure(draft: Draft) -> list[Advice]:
    """An analysis or a proposal has its situation, analysis and measures parts."""
    from xinbao.items.models import ItemKind

    if draft.kind not in (ItemKind.ANALYSIS, ItemKind.PROPOSAL):
        return []
    names = {
        "situation": str(_("the situation (情况)")),
        "analysis": str(_("the analysis (分析)")),
        "measures": str(_("the proposed measures (对策)")),
    }
    absent = [names[part] for part, pattern in _PARTS if not pattern.search(draft.body)]
    if not absent:
        return []
    return [
        Advice(
            code="structure",
            message=_("Add %(parts)s.") % {"parts": _list(absent)},
            reason=str(
                _(
                    "An analysis or a proposal sets out the situation, analyses its causes and "
                    "trends, and proposes measures; a part is missing from this text."
                )
            ),
        )
    ]


@register_check
def length(draft: Draft) -> list[Advice]:
    """Too short or too long for its kind."""
    shortest, longest = LENGTHS.get(draft.kind, (60, 5000))
    chars = _chars(draft.body)
    if chars < shortest:
        return [
            Advice(
                code="too_short",
                message=_("The text is short for its kind: %(chars)d characters.")
                % {"chars": chars},
                reason=_("An item of this kind usually needs at least %(min)d characters.")
                % {"min": shortest},
                severity="info",
            )
        ]
    if chars > longest:
        return [
            Advice(
                code="too_long",
                message=_("The text is long for its kind: %(chars)d characters.")
                % {"chars": chars},
                reason=_("An item of this kind is read best within %(max)d characters.")
                % {"max": longest},
                severity="info",
            )
        ]
    return []


@register_check
def vague_wording(draft: Draft) -> list[Advice]:
    """一般化 wording: stock phrases of effort, and not one figure to show for them."""
    found = list(dict.fromkeys(m[0] for m in _VAGUE.finditer(draft.body)))
    if len(found) < 2 or _FIGURE.search(draft.body):
        return []
    return [
        Advice(
            code="vague",
            message=_("Replace general wording with facts and figures."),
            reason=_(
                "Phrases such as %(phrases)s say that work was done, not what it achieved, and "
                "the text gives no figure."
            )
            % {"phrases": "、".join(f"“{p}”" for p in found[:4])},
        )
    ]
