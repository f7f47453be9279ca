"""What the builder offers: search hits, an added item's same-event group, the subject's past
adoptions and leaders' instructions, and figures summed from the items' facts.

Every item comes through ``visible_items(user)`` (unit and clearance) or ``items.search``, which
goes through it; an instruction on an item only when the user may see that item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from xinbao.accounts.models import User
from xinbao.items import search
from xinbao.items.access import visible_items
from xinbao.items.models import Item
from xinbao.items.similarity import group_of
from xinbao.lib.facts import Count, extract_facts
from xinbao.packs.models import Entry, EntryKind, Pack
from xinbao.periodicals.models import Instruction

#: Hits shown per search, and offers per kind.
HITS = 10
OFFERS = 8

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def keywords(subject: str) -> list[str]:
    """ "防汛 河长制，暴雨" → the keywords, each once, in order."""
    seen: dict[str, None] = {}
    for word in _SEPARATORS.split(subject):
        if word.strip():
            seen.setdefault(word.strip(), None)
    return list(seen)


def entries(pack: Pack) -> list[Entry]:
    return list(pack.entries.select_related("item__unit", "instruction"))


def hits(user: User, query: str) -> list[search.Hit]:
    """The search page's hits for ``query`` (the same function, the same isolation)."""
    if not query.strip():
        return []
    return search.search(user, query, limit=HITS).hits


def group(user: User, item: Item | None, *, exclude: Iterable[int]) -> list[Item]:
    """The other items of ``item``'s same-event group the user may see and the pack lacks."""
    if item is None:
        return []
    left = set(exclude)
    return [i for i in group_of(item, user).items if i.pk != item.pk and i.pk not in left]


def _any_keyword(fields: Iterable[str], words: Iterable[str]) -> Q:
    q = Q()
    for word in words:
        for name in fields:
            q |= Q(**{f"{name}__icontains": word})
    return q


def adopted(user: User, subject: str, *, exclude: Iterable[int]) -> list[Item]:
    """Items on the subject taken into use before (adopted here or higher up), newest first."""
    ids: set[int] = set()
    for word in keywords(subject):
        ids |= set(search.matching_ids(user, word))
    if not ids:
        return []
    qs = (
        visible_items(user)
        .filter(pk__in=ids, adoptions__isnull=False)
        .exclude(pk__in=list(exclude))
        .select_related("unit")
        .distinct()
        .order_by("-submitted_at", "-pk")
    )
    return list(qs[:OFFERS])


def instructions_on(user: User, subject: str, *, exclude: Iterable[int]) -> QuerySet[Instruction]:
    """Leaders' instructions whose words, or whose item's title, name a keyword."""
    words = keywords(subject)
    if not words:
        return Instruction.objects.none()
    seen = visible_items(user).values("pk")
    return (
        Instruction.objects.filter(_any_keyword(("text", "item__title"), words))
        .filter(Q(item__isnull=True) | Q(item__in=seen))
        .exclude(pk__in=list(exclude))
        .select_related("leader", "item")
        .order_by("-created_at", "-pk")[:OFFERS]
    )


# --- figures from facts ------------------------------------------------------------------------

#: The facts offered as figures, with the label and unit they print under (document content,
#: in Chinese whatever the builder's language, as the documents are).
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("deaths", "死亡人数", "人"),
    ("injuries", "受伤人数", "人"),
    ("missing", "失联失踪人数", "人"),
    ("trapped", "被困人数", "人"),
    ("evacuated", "疏散人数", "人"),
    ("relocated", "转移安置人数", "人"),
    ("affected", "受灾人数", "人"),
)
LOSS = ("direct_loss", "直接经济损失", "万元")


@dataclass
class Suggestion:
    key: str
    label: str
    value: str
    unit: str
    #: Each item the figure came from, with what it states.
    parts: list[tuple[Item, str]] = field(default_factory=list)

    @property
    def source(self) -> str:
        units: dict[str, None] = {}
        for item, _value in self.parts:
            units.setdefault(item.unit.short_name or item.unit.name, None)
        return f"据{'、'.join(units)}报送"


def _wan(yuan: Decimal) -> str:
    value = (yuan / Decimal(10000)).quantize(Decimal("0.01")).normalize()
    return f"{value:f}"


def figures(pack_entries: Iterable[Entry]) -> list[Suggestion]:
    """Each fact stated by the pack's items, summed over them, with the items it came from.

    Read from each item's text as it was added to the pack.
    """
    found: dict[str, Suggestion] = {}
    totals: dict[str, Decimal] = {}
    for entry in pack_entries:
        item = entry.item
        if entry.kind != EntryKind.ITEM or item is None:
            continue
        facts = extract_facts(
            f"{entry.text}\n{entry.title}", reference_time=item.submitted_at or item.created_at
        )
        for key, label, unit in FIGURES:
            count: Count | None = getattr(facts, key)
            if count is None or count.value <= 0:
                continue
            s = found.setdefault(key, Suggestion(key, label, "", unit))
            s.parts.append((item, f"{count.value}{unit}"))
            totals[key] = totals.get(key, Decimal(0)) + count.value
        if facts.direct_loss is not None and facts.direct_loss.yuan > 0:
            key, label, unit = LOSS
            s = found.setdefault(key, Suggestion(key, label, "", unit))
            s.parts.append((item, f"{_wan(facts.direct_loss.yuan)}{unit}"))
            totals[key] = totals.get(key, Decimal(0)) + facts.direct_loss.yuan
    order = [k for k, _l, _u in FIGURES] + [LOSS[0]]
    result = []
    for key in order:
        if key in found:
            s = found[key]
            s.value = _wan(totals[key]) if key == LOSS[0] else str(int(totals[key]))
            result.append(s)
    return result
