"""Reads: a leader's matched items with the reasons in the reader's language, the marks on an
object, and the office's statistics of marks per unit and per editor."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.interests.models import Hit, InfoRequest, Mark
from xinbao.interests.services import why
from xinbao.items.access import visible_item_exists, visible_items
from xinbao.items.matching import describe
from xinbao.items.models import Item
from xinbao.lib.days import office_midnight
from xinbao.periodicals.models import Issue
from xinbao.research.models import Answer


@dataclass
class Served:
    """One item served to a leader: the interests it matched, why, and the leader's mark."""

    item: Item
    interests: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    at: dt.datetime | None = None
    urgent: bool = False
    mark: Mark | None = None


def served(leader: User, *, days: int = 30, limit: int = 50) -> list[Served]:
    """The items matched to the leader's interests in the last ``days``, newest first; only
    items the leader may still see (a label raised since is not shown)."""
    since = timezone.now() - dt.timedelta(days=days)
    hits = (
        Hit.objects.filter(interest__leader=leader, at__gte=since)
        # EXISTS per hit (its item looked up by key), not ``item__in``: that listed every
        # visible item first, a scan of the items at 10^6.
        .filter(visible_item_exists(leader))
        .select_related("interest", "item", "item__unit")
        .order_by("-at", "-pk")[: limit * 3]
    )
    rows: dict[int, Served] = {}
    for hit in hits:
        row = rows.get(hit.item_id)
        if row is None:
            if len(rows) >= limit:
                continue
            row = rows[hit.item_id] = Served(item=hit.item, at=hit.at, urgent=hit.urgent)
        row.interests.append(hit.interest.name)
        found = why(hit.interest, hit.item)
        row.reasons.extend(found.reasons if found else describe(hit.reasons))
    marks = Mark.objects.filter(leader=leader, item_id__in=list(rows))
    for mark in marks:
        assert mark.item_id is not None
        rows[mark.item_id].mark = mark
    for row in rows.values():
        row.interests = list(dict.fromkeys(row.interests))
        row.reasons = list(dict.fromkeys(row.reasons))
    return list(rows.values())


def request_answers(req: InfoRequest, user: User) -> list[Item]:
    """The items that answered the commission a request became, as far as ``user`` may see."""
    if req.commission_id is None:
        return []
    pks = Answer.objects.filter(assignment__commission_id=req.commission_id).values("item_id")
    return list(visible_items(user).filter(pk__in=pks).select_related("unit").order_by("-pk"))


@dataclass
class Tally:
    name: str
    useful: int = 0
    not_useful: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.useful + self.not_useful

    def add(self, mark: Mark) -> None:
        if mark.useful:
            self.useful += 1
        else:
            self.not_useful += 1
        if mark.note:
            self.notes.append(mark.note)


@dataclass
class MarkStats:
    units: list[Tally]
    editors: list[Tally]
    marks: list[Mark]


def mark_stats(start: dt.date, end: dt.date) -> MarkStats:
    """The leaders' marks given from ``start`` to ``end`` (local dates, both included): per unit
    (the unit of a marked item; every unit with an item in a marked issue) and per editor (who
    adopted a marked item into the office's use; who compiled a marked issue)."""
    lo, hi = office_midnight(start), office_midnight(end + dt.timedelta(days=1))
    marks = list(
        Mark.objects.filter(updated_at__gte=lo, updated_at__lt=hi)
        .select_related(
            "leader", "item", "item__unit", "issue", "issue__periodical", "issue__created_by"
        )
        .order_by("-updated_at", "-pk")
    )
    units: dict[int, Tally] = {}
    editors: dict[int, Tally] = {}
    item_ids = [m.item_id for m in marks if m.item_id is not None]
    adopters: dict[int, set[int]] = defaultdict(set)
    people: dict[int, User] = {}
    for adoption in Adoption.objects.filter(
        item_id__in=item_ids, level=AdoptionLevel.OFFICE
    ).select_related("by"):
        adopters[adoption.item_id].add(adoption.by_id)
        people[adoption.by_id] = adoption.by
    issue_units: dict[int, set[tuple[int, str]]] = defaultdict(set)
    issue_ids = [m.issue_id for m in marks if m.issue_id is not None]
    for issue_pk, unit_pk, short, name in Issue.objects.filter(pk__in=issue_ids).values_list(
        "pk",
        "entries__item__unit_id",
        "entries__item__unit__short_name",
        "entries__item__unit__name",
    ):
        if unit_pk is not None:
            issue_units[issue_pk].add((unit_pk, short or name))
    for mark in marks:
        if mark.item is not None:
            unit = mark.item.unit
            units.setdefault(unit.pk, Tally(unit.short_name or unit.name)).add(mark)
            for by in adopters.get(mark.item.pk, ()):
                editors.setdefault(by, Tally(people[by].full_name or people[by].username)).add(mark)
        elif mark.issue is not None:
            for unit_pk, label in issue_units.get(mark.issue.pk, ()):
                units.setdefault(unit_pk, Tally(label)).add(mark)
            by_user = mark.issue.created_by
            editors.setdefault(by_user.pk, Tally(by_user.full_name or by_user.username)).add(mark)

    def ranked(tallies: dict[int, Tally]) -> list[Tally]:
        return sorted(tallies.values(), key=lambda t: (-t.useful, t.not_useful, t.name))

    return MarkStats(units=ranked(units), editors=ranked(editors), marks=marks)
