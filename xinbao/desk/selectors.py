"""Reads of the desk: the inbox and its queue, versions and diffs, and an item's outcome."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString

from xinbao.accounts.models import Role, User
from xinbao.desk.access import desk_items
from xinbao.desk.models import Adoption, Decision, ItemVersion
from xinbao.items.models import Item, ItemStatus, Topic, urgency_rank
from xinbao.items.search import filter_by_text
from xinbao.lib.days import office_midnight
from xinbao.lib.pagination import BoundedCount, bounded_count
from xinbao.lib.text import diff_html
from xinbao.org.models import Unit

#: Statuses waiting on the desk.
OPEN = (ItemStatus.SUBMITTED, ItemStatus.RECEIVED)


@dataclass(frozen=True)
class InboxFilter:
    q: str = ""
    unit: Unit | None = None
    kind: str = ""
    urgency: str = ""
    topic: Topic | None = None
    state: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _with_lock_holder(qs: QuerySet[Item]) -> QuerySet[Item]:
    """Each row with ``lock_holder``: who is editing it now, or an empty string."""
    return qs.annotate(
        lock_holder=Case(
            When(edit_lock__expires_at__gt=timezone.now(), then=F("edit_lock__user__full_name")),
            default=Value(""),
            output_field=CharField(),
        )
    )


def inbox(user: User, f: InboxFilter | None = None) -> QuerySet[Item]:
    """Everything sent to the office, filtered; newest first. Dates are the submission day."""
    f = f or InboxFilter()
    qs = desk_items(user).select_related("unit")
    if f.q:
        qs = filter_by_text(user, qs, f.q)
    if f.unit is not None:
        # Joint items through a subquery, not a join: no DISTINCT, the list's index keeps its order.
        credited = Item.joint_units.through.objects.filter(unit_id=f.unit.pk)
        qs = qs.filter(Q(unit=f.unit) | Q(pk__in=credited.values("item_id")))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.topic is not None:
        qs = qs.filter(topics=f.topic)
    if f.state:
        qs = qs.filter(status=f.state)
    # The submission day in the office's time zone, as a range of the stored UTC column (an
    # index seeks a range; it cannot serve a function of the column such as __date).
    if f.date_from:
        qs = qs.filter(submitted_at__gte=office_midnight(f.date_from))
    if f.date_to:
        qs = qs.filter(submitted_at__lt=office_midnight(f.date_to + dt.timedelta(days=1)))
    return _with_lock_holder(qs)


def needs_action(user: User) -> QuerySet[Item]:
    """Submitted or received items with no decision since they were (re)submitted.

    Most urgent first, then the longest waiting. A resubmitted item is back in the queue:
    its earlier decisions predate its new submission.
    """
    decided = Decision.objects.filter(item=OuterRef("pk"), at__gte=OuterRef("submitted_at"))
    qs = (
        desk_items(user)
        .filter(status__in=OPEN)
        .exclude(Exists(decided))
        .select_related("unit")
        .annotate(rank=urgency_rank())
        .order_by(*QUEUE_ORDER)
    )
    return _with_lock_holder(qs)


#: The queue's order, as keys of a keyset page (``rank`` is annotated by ``needs_action``).
QUEUE_ORDER = ("-rank", "submitted_at", "id")
#: The queue's badge counts this far, then says "500+".
QUEUE_COUNT_CAP = 500


def queue_count(user: User) -> BoundedCount:
    """How many items wait on the desk, counted up to :data:`QUEUE_COUNT_CAP`."""
    return bounded_count(needs_action(user), QUEUE_COUNT_CAP)


# --- versions and diffs ------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    """A version as shown; ``stored`` is false for the current text not yet saved as one."""

    number: int
    title: str
    body: str
    author: str
    role: str
    note: str
    at: dt.datetime | None
    stored: bool = True


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def versions(item: Item) -> list[VersionRow]:
    """The item's versions, oldest first, ending with its current text.

    Before the first edit there is no stored version: the current text is shown as
    version 1. After a return and the unit's revision, the revised text is shown as the
    next version until the desk's next edit stores it.
    """
    rows = [
        VersionRow(
            v.number, v.title, v.body, str(v.author), _role_label(v.role), v.note, v.created_at
        )
        for v in ItemVersion.objects.filter(item_id=item.pk).select_related("author")
    ]
    if not rows or (rows[-1].title, rows[-1].body) != (item.title, item.body):
        rows.append(
            VersionRow(
                number=rows[-1].number + 1 if rows else 1,
                title=item.title,
                body=item.body,
                author=item.writer_name,
                role="",
                note="",
                at=item.updated_at,
                stored=False,
            )
        )
    return rows


@dataclass(frozen=True)
class Diff:
    old: VersionRow
    new: VersionRow
    title: SafeString
    body: SafeString


def diff(rows: list[VersionRow], a: int | None = None, b: int | None = None) -> Diff | None:
    """The word diff between versions ``a`` and ``b``; by default the first and the latest."""
    if len(rows) < 2:
        return None
    by_number = {r.number: r for r in rows}
    old = by_number.get(a) if a is not None else None
    new = by_number.get(b) if b is not None else None
    old = old or rows[0]
    new = new or rows[-1]
    return Diff(old, new, diff_html(old.title, new.title), diff_html(old.body, new.body))


# --- outcome, for the unit ----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    decisions: list[Decision]
    adoptions: list[Adoption]


def outcome(item: Item) -> Outcome:
    """What the desk decided about an item and where it was adopted; for everyone who sees it."""
    return Outcome(
        decisions=list(Decision.objects.filter(item_id=item.pk).order_by("at", "id")),
        adoptions=list(Adoption.objects.filter(item_id=item.pk).select_related("periodical")),
    )


# --- merging ------------------------------------------------------------------------------


def merge_sources(user: User, ids: list[int]) -> list[Item]:
    """The chosen items that may still be merged, in the order they were chosen."""
    found = {
        i.pk: i
        for i in desk_items(user)
        .filter(pk__in=ids, status__in=OPEN)
        .select_related("unit")
        .prefetch_related("joint_units")
    }
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


@dataclass(frozen=True)
class UnitCount:
    unit: Unit
    count: int


def unit_counts(items: list[Item]) -> list[UnitCount]:
    """How many of the items each unit is credited with (as main or joint unit), most first."""
    units: dict[int, Unit] = {}
    counts: Counter[int] = Counter()
    for item in items:
        credited = {item.unit.pk: item.unit, **{u.pk: u for u in item.joint_units.all()}}
        units.update(credited)
        counts.update(credited.keys())
    return [UnitCount(units[pk], n) for pk, n in counts.most_common()]


def merge_initial(items: list[Item]) -> dict[str, str]:
    """The merge form's starting text: every source's title and text, its unit named."""
    if not items:
        return {"title": "", "body": ""}
    parts = []
    for item in items:
        name = item.unit.short_name or item.unit.name
        parts.append(f"【{name}】{item.title}\n{item.body}")
    return {"title": items[0].title, "body": "\n".join(parts)}
