"""Reads of the topic lists: the lists in the order units read them, a topic's answers as the
user may see them, the matcher's suggestions, and coverage (per topic and per unit)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.items.access import visible_item_exists, visible_items
from xinbao.items.matching import match, profile
from xinbao.items.models import Item
from xinbao.org.models import Unit
from xinbao.topiclists.access import is_office, visible_lists
from xinbao.topiclists.models import (
    DismissedSuggestion,
    ListedTopic,
    TopicAnswer,
    TopicList,
)
from xinbao.topiclists.services import NOT_ANSWERING

#: Suggestions offered on a topic's page, best first.
SUGGESTIONS = 20
#: Items of the month read by the matcher for one topic, newest first.
CANDIDATES = 3000


def lists_for(user: User) -> list[TopicList]:
    """The lists the user may read: this month's first, then the others, newest month first."""
    this_month = timezone.localdate().replace(day=1)
    rows = list(visible_lists(user).order_by("-month"))
    return sorted(rows, key=lambda tl: tl.month != this_month)


def current_list(user: User) -> TopicList | None:
    this_month = timezone.localdate().replace(day=1)
    return visible_lists(user).filter(month=this_month).first()


def answers(user: User, topic: ListedTopic) -> QuerySet[TopicAnswer]:
    """The topic's answers whose items the user may see."""
    return (
        TopicAnswer.objects.filter(visible_item_exists(user), topic=topic)
        .select_related("item", "item__unit", "by")
        .order_by("at", "pk")
    )


def linkable_items(user: User) -> QuerySet[Item]:
    """The items a reporter may link: their unit's own, sent (not drafts, not withdrawn)."""
    if user.unit_id is None:
        return Item.objects.none()
    return (
        visible_items(user)
        .filter(unit_id=user.unit_id)
        .exclude(status__in=NOT_ANSWERING)
        .order_by("-submitted_at", "-pk")
    )


def month_window(topic_list: TopicList) -> tuple[dt.datetime, dt.datetime]:
    """The list's month as UTC instants, the month taken in the office's time zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(topic_list.month, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(topic_list.month_end, dt.time(), tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class Suggestion:
    item: Item
    score: float
    reasons: tuple[str, ...]


def suggestions(user: User, topic: ListedTopic) -> list[Suggestion]:
    """Items sent in the list's month that match the topic's keywords (``items.matching``),
    not yet linked nor dismissed, best first. Offered to the office to confirm; never counted
    before it does."""
    keywords = topic.keyword_list()
    if not keywords:
        return []
    wanted = profile(keywords)
    start, end = month_window(topic.topic_list)
    taken = TopicAnswer.objects.filter(topic=topic).values("item_id")
    dismissed = DismissedSuggestion.objects.filter(topic=topic).values("item_id")
    candidates = (
        visible_items(user)
        .exclude(status__in=NOT_ANSWERING)
        .filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(pk__in=taken)
        .exclude(pk__in=dismissed)
        .select_related("unit")
        .order_by("-submitted_at", "-pk")[:CANDIDATES]
    )
    found: list[Suggestion] = []
    for item in candidates:
        result = match(wanted, title=item.title, body=item.body)
        if result is not None:
            found.append(Suggestion(item=item, score=result.score, reasons=result.reasons))
    found.sort(key=lambda s: (-s.score, -s.item.pk))
    return found[:SUGGESTIONS]


@dataclass
class TopicCoverage:
    topic: ListedTopic
    number: int
    items: int = 0
    units: set[int] = field(default_factory=set)
    aimed: set[int] = field(default_factory=set)
    #: The viewing unit's own items answering the topic (a reporter's view).
    own: list[Item] = field(default_factory=list)

    @property
    def answered_aimed(self) -> int:
        return len(self.units & self.aimed)

    @property
    def share(self) -> int:
        """Percent of the units aimed at that answered."""
        return round(100 * self.answered_aimed / len(self.aimed)) if self.aimed else 0

    @property
    def unanswered(self) -> bool:
        return self.items == 0


@dataclass
class UnitCoverage:
    unit: Unit
    topics: list[int] = field(default_factory=list)
    aimed: int = 0


@dataclass
class Coverage:
    topics: list[TopicCoverage]
    units: list[UnitCoverage]
    unanswered: int
    answered_units: int
    active_units: int


def coverage(user: User, topic_list: TopicList) -> Coverage:
    """Per topic: items answering it, units that answered, share of the units aimed at; per
    unit: the topics it answered. The office sees the whole network; a reporter sees the
    counts and only their own unit's row and items."""
    topics = list(topic_list.topics.prefetch_related("unit_classes").order_by("order", "pk"))
    units = list(Unit.objects.filter(is_active=True).order_by("kind", "code"))
    rows: list[TopicCoverage] = []
    by_pk: dict[int, TopicCoverage] = {}
    for number, topic in enumerate(topics, 1):
        classes = {c.pk for c in topic.unit_classes.all()}
        aimed = {u.pk for u in units if not classes or u.unit_class_id in classes}
        row = TopicCoverage(topic=topic, number=number, aimed=aimed)
        rows.append(row)
        by_pk[topic.pk] = row
    links = TopicAnswer.objects.filter(topic__topic_list=topic_list)
    if is_office(user):
        links = links.filter(visible_item_exists(user))
    answered: dict[int, set[int]] = defaultdict(set)
    for topic_id, unit_id in links.values_list("topic_id", "item__unit_id"):
        row = by_pk[topic_id]
        row.items += 1
        row.units.add(unit_id)
        answered[unit_id].add(row.number)
    if not is_office(user):
        own = (
            links.filter(visible_item_exists(user) & Q(item__unit_id=user.unit_id))
            .select_related("item")
            .order_by("at", "pk")
        )
        for link in own:
            by_pk[link.topic_id].own.append(link.item)
        units = [u for u in units if u.pk == user.unit_id]
    unit_rows = [
        UnitCoverage(
            unit=unit,
            topics=sorted(answered.get(unit.pk, set())),
            aimed=sum(1 for row in rows if unit.pk in row.aimed),
        )
        for unit in units
    ]
    return Coverage(
        topics=rows,
        units=unit_rows,
        unanswered=sum(1 for row in rows if row.unanswered),
        answered_units=len(answered),
        active_units=len({pk for row in rows for pk in row.aimed}),
    )
