"""Every write of the agenda: priorities and milestones, matches (automatic and by hand), stale
flags. Keyword-only, atomic, audited; people are told through ``xinbao.notify``.

Matching is office-side: the automatic pass reads every submitted item; whatever lists the
matched items to a person filters them through ``items.access.visible_items`` (selectors).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.agenda.models import (
    MatchCursor,
    MatchHow,
    Milestone,
    Priority,
    PriorityKind,
    PriorityMatch,
    StaleFlag,
)
from xinbao.audit.services import Event, record, record_many
from xinbao.items.matching import Match, match
from xinbao.items.models import Item, ItemStatus
from xinbao.items.search import matching_ids
from xinbao.lib.classified import refuse_classified
from xinbao.lib.days import office_midnight
from xinbao.notify import notify, resolve
from xinbao.org.models import Unit
from xinbao.research.models import CommissionForm, CommissionSource
from xinbao.research.services import CommissionError, create_commission

#: Who creates and edits priorities, milestones and matches.
MANAGERS = frozenset({Role.EDITOR, Role.SECTION_CHIEF})
#: The leaders who own priorities and read their coverage.
LEADERS = frozenset({Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER})
READERS = MANAGERS | LEADERS
#: Who is told of a stale priority.
TOLD_OF_STALE = (Role.EDITOR, Role.SECTION_CHIEF)
#: Items the automatic pass reads in one run.
BATCH = 500
#: Statuses of items that count for a priority (sent to the office and not taken back).
COUNTED = Q(submitted_at__isnull=False) & ~Q(status__in=[ItemStatus.DRAFT, ItemStatus.WITHDRAWN])
CURSOR = "items"
#: How old a submission must be before the pass reads it: a transaction that set an earlier
#: ``submitted_at`` and commits after the cursor moved past it would be skipped for good.
SETTLE = dt.timedelta(seconds=5)


class AgendaError(Exception):
    """A write the data or the user's role does not allow; the message says why."""


def can_manage(user: User) -> bool:
    return user.is_authenticated and user.role in MANAGERS


def can_read(user: User) -> bool:
    return user.is_authenticated and user.role in READERS


def _require_manager(user: User) -> None:
    if not can_manage(user):
        raise AgendaError(_("Only the information section edits priorities."))


@dataclass
class PriorityData:
    title: str
    kind: str
    keywords: str
    starts_on: dt.date
    ends_on: dt.date
    owner: User
    description: str = ""
    exclude: str = ""
    units: Sequence[Unit] = field(default_factory=list)
    stale_weeks: int = 2
    active: bool = True


def _check(data: PriorityData) -> None:
    if not data.title.strip():
        raise AgendaError(_("Write the priority's title."))
    if data.kind not in PriorityKind.values:
        raise AgendaError(_("Choose the kind of priority."))
    probe = Priority(keywords=data.keywords, exclude=data.exclude)
    if not probe.profile().keywords:
        raise AgendaError(_("Give at least one keyword."))
    if data.ends_on < data.starts_on:
        raise AgendaError(_("The period ends before it starts."))
    if data.owner.role not in LEADERS or not data.owner.is_active:
        raise AgendaError(_("The priority's owner must be an active leader."))
    if data.stale_weeks < 1:
        raise AgendaError(_("Flag after one week at least."))
    refuse_classified(data.title, data.description)


def _fill(priority: Priority, data: PriorityData) -> None:
    priority.title = data.title.strip()
    priority.kind = data.kind
    priority.description = data.description.strip()
    priority.keywords = "\n".join(Priority(keywords=data.keywords).keyword_list())
    priority.exclude = "\n".join(Priority(exclude=data.exclude).exclude_list())
    priority.starts_on = data.starts_on
    priority.ends_on = data.ends_on
    priority.owner = data.owner
    priority.stale_weeks = data.stale_weeks
    priority.active = data.active


def _summary(priority: Priority) -> dict[str, object]:
    return {
        "title": priority.title,
        "kind": priority.kind,
        "keywords": priority.keyword_list(),
        "exclude": priority.exclude_list(),
        "period": [str(priority.starts_on), str(priority.ends_on)],
        "owner": priority.owner.username,
        "units": sorted(u.code for u in priority.units.all()),
        "stale_weeks": priority.stale_weeks,
        "active": priority.active,
    }


@transaction.atomic
def create_priority(*, user: User, data: PriorityData) -> Priority:
    """A new priority; the items of its period so far are matched at once."""
    _require_manager(user)
    _check(data)
    priority = Priority(created_by=user)
    _fill(priority, data)
    priority.save()
    priority.units.set(data.units)
    record(actor=user, action="agenda.priority_create", obj=priority, summary=_summary(priority))
    rematch(priority=priority, user=user)
    return priority


@transaction.atomic
def update_priority(*, user: User, priority: Priority, data: PriorityData) -> Priority:
    """Edit a priority; when what it matches changed (keywords, exclude words, period) its
    period's items are matched again."""
    _require_manager(user)
    _check(data)
    priority = Priority.objects.select_for_update(no_key=True).get(pk=priority.pk)
    before = (priority.profile(), priority.starts_on, priority.ends_on, priority.active)
    _fill(priority, data)
    priority.save()
    priority.units.set(data.units)
    record(actor=user, action="agenda.priority_update", obj=priority, summary=_summary(priority))
    if before != (priority.profile(), priority.starts_on, priority.ends_on, priority.active):
        rematch(priority=priority, user=user)
    return priority


# --- Milestones ------------------------------------------------------------------------------


@transaction.atomic
def add_milestone(
    *, user: User, priority: Priority, title: str, due_on: dt.date, note: str = ""
) -> Milestone:
    _require_manager(user)
    if not title.strip():
        raise AgendaError(_("Write the milestone's title."))
    refuse_classified(title, note)
    milestone = Milestone.objects.create(
        priority=priority, title=title.strip(), due_on=due_on, note=note.strip()
    )
    record(
        actor=user,
        action="agenda.milestone_add",
        obj=milestone,
        summary={"priority": priority.pk, "title": milestone.title, "due_on": str(due_on)},
    )
    return milestone


@transaction.atomic
def update_milestone(
    *,
    user: User,
    milestone: Milestone,
    title: str,
    due_on: dt.date,
    done_on: dt.date | None,
    note: str = "",
) -> Milestone:
    _require_manager(user)
    if not title.strip():
        raise AgendaError(_("Write the milestone's title."))
    refuse_classified(title, note)
    milestone.title, milestone.due_on, milestone.done_on = title.strip(), due_on, done_on
    milestone.note = note.strip()
    milestone.save()
    record(
        actor=user,
        action="agenda.milestone_update",
        obj=milestone,
        summary={
            "priority": milestone.priority_id,
            "title": milestone.title,
            "due_on": str(due_on),
            "done_on": str(done_on) if done_on else None,
        },
    )
    return milestone


# --- Matches ---------------------------------------------------------------------------------


def _resolve_flags(priority_ids: Iterable[int], now: dt.datetime) -> int:
    return StaleFlag.objects.filter(priority_id__in=list(priority_ids), resolved_at=None).update(
        resolved_at=now
    )


@transaction.atomic
def add_match(*, user: User, priority: Priority, item: Item) -> PriorityMatch:
    """An editor says an item is about a priority (also one removed before, or never found)."""
    _require_manager(user)
    if item.submitted_at is None or item.status in (ItemStatus.DRAFT, ItemStatus.WITHDRAWN):
        raise AgendaError(_("Only items sent to the office can be matched."))
    now = timezone.now()
    found = (
        PriorityMatch.objects.select_for_update(no_key=True)
        .filter(priority=priority, item=item)
        .first()
    )
    if found is not None and found.removed_at is None:
        raise AgendaError(_("This item is already matched to the priority."))
    if found is None:
        found = PriorityMatch(priority=priority, item=item)
    found.how, found.by, found.at = MatchHow.MANUAL, user, now
    found.score, found.reasons = 1.0, [{"where": "manual", "name": user.full_name}]
    found.removed_at, found.removed_by = None, None
    found.save()
    _resolve_flags([priority.pk], now)
    record(
        actor=user,
        action="agenda.match_add",
        obj=found,
        summary={"priority": priority.pk, "item": item.pk, "title": item.title},
    )
    return found


@transaction.atomic
def remove_match(*, user: User, match: PriorityMatch) -> PriorityMatch:
    """Take a wrong match off; it stays off (no automatic pass adds it again)."""
    _require_manager(user)
    found = PriorityMatch.objects.select_for_update(no_key=True).get(pk=match.pk)
    if found.removed_at is not None:
        raise AgendaError(_("This match was removed already."))
    found.removed_at, found.removed_by = timezone.now(), user
    found.save(update_fields=["removed_at", "removed_by"])
    record(
        actor=user,
        action="agenda.match_remove",
        obj=found,
        summary={"priority": found.priority_id, "item": found.item_id},
    )
    return found


def _auto(priority: Priority, item: Item, found: Match, now: dt.datetime) -> PriorityMatch:
    return PriorityMatch(
        priority=priority,
        item=item,
        how=MatchHow.AUTO,
        score=found.score,
        reasons=list(found.facts),
        at=now,
    )


def _store_auto(rows: list[PriorityMatch], *, actor: User | None, now: dt.datetime) -> int:
    """Store new automatic matches, one audit event per priority, and resolve the flags."""
    if not rows:
        return 0
    PriorityMatch.objects.bulk_create(rows, ignore_conflicts=True)
    by_priority: dict[int, list[int]] = {}
    for row in rows:
        by_priority.setdefault(row.priority_id, []).append(row.item_id)
    _resolve_flags(by_priority, now)
    record_many(
        [
            Event(
                actor=actor,
                actor_name="" if actor else "xinbao",
                action="agenda.match_auto",
                obj=Priority(pk=pk),
                summary={"priority": pk, "items": items},
            )
            for pk, items in by_priority.items()
        ]
    )
    return len(rows)


def _local_day(when: dt.datetime) -> dt.date:
    return timezone.localtime(when).date()


@transaction.atomic
def rematch(*, priority: Priority, user: User) -> int:
    """Match the items of the priority's period again (it is new, or what it matches changed).

    Candidates come from full-text search (each keyword a query), never a scan of all items;
    automatic matches that no longer match are dropped, matches made or removed by hand stay.
    Returns how many new matches were stored.
    """
    wanted = priority.profile()
    candidates: set[int] = set()
    for keyword in wanted.keywords:
        candidates.update(matching_ids(user, keyword))
    start = office_midnight(priority.starts_on)
    end = dt.datetime.combine(priority.ends_on, dt.time.max, tzinfo=timezone.get_default_timezone())
    items = (
        Item.objects.filter(COUNTED, pk__in=candidates, submitted_at__range=(start, end))
        .only("pk", "title", "body", "submitted_at")
        .order_by("pk")
    )
    now = timezone.now()
    kept = {
        m.item_id: m
        for m in PriorityMatch.objects.filter(priority=priority).select_for_update(no_key=True)
    }
    new: list[PriorityMatch] = []
    still: set[int] = set()
    if priority.active:
        for item in items:
            found = match(wanted, title=item.title, body=item.body)
            if found is None:
                continue
            still.add(item.pk)
            if item.pk not in kept:
                new.append(_auto(priority, item, found, now))
    stale_auto = [
        m.pk
        for m in kept.values()
        if m.how == MatchHow.AUTO and m.removed_at is None and m.item_id not in still
    ]
    if stale_auto:
        PriorityMatch.objects.filter(pk__in=stale_auto).delete()
        record(
            actor=user,
            action="agenda.match_drop",
            obj=priority,
            summary={"priority": priority.pk, "dropped": len(stale_auto)},
        )
    return _store_auto(new, actor=user, now=now)


@transaction.atomic
def match_new_items(*, limit: int = BATCH) -> int:
    """The automatic pass: items submitted since the cursor against the active priorities of
    their day. A pair matched or removed before is never added again. Returns the matches made.
    """
    now = timezone.now()
    cursor, created = MatchCursor.objects.select_for_update(no_key=True).get_or_create(name=CURSOR)
    priorities = list(Priority.objects.filter(active=True))
    if created or cursor.submitted_at is None:
        # The first pass starts at the earliest period; what came before was matched when
        # each priority was created.
        first = min((p.starts_on for p in priorities), default=None)
        if first is None:
            cursor.submitted_at = now
            cursor.save()
            return 0
        cursor.submitted_at = office_midnight(first)
        cursor.item_id = 0
    after = Q(submitted_at__gt=cursor.submitted_at) | Q(
        submitted_at=cursor.submitted_at, pk__gt=cursor.item_id
    )
    batch = list(
        Item.objects.filter(COUNTED, submitted_at__lte=now - SETTLE)
        .filter(after)
        .only("pk", "title", "body", "submitted_at")
        .order_by("submitted_at", "pk")[:limit]
    )
    if not batch:
        cursor.save()
        return 0
    profiles = [(p, p.profile()) for p in priorities]
    seen = set(PriorityMatch.objects.filter(item__in=batch).values_list("priority_id", "item_id"))
    new: list[PriorityMatch] = []
    for item in batch:
        assert item.submitted_at is not None  # COUNTED
        day = _local_day(item.submitted_at)
        for priority, wanted in profiles:
            if not priority.in_period(day) or (priority.pk, item.pk) in seen:
                continue
            found = match(wanted, title=item.title, body=item.body)
            if found is not None:
                new.append(_auto(priority, item, found, now))
    last = batch[-1]
    assert last.submitted_at is not None
    cursor.submitted_at, cursor.item_id = last.submitted_at, last.pk
    cursor.save()
    return _store_auto(new, actor=None, now=now)


# --- Stale priorities ------------------------------------------------------------------------


def last_matched_at(priority: Priority) -> dt.datetime | None:
    found = PriorityMatch.objects.filter(priority=priority, removed_at=None).aggregate(
        last=Max("item__submitted_at")
    )["last"]
    return found if isinstance(found, dt.datetime) else None


@transaction.atomic
def flag_stale(*, now: dt.datetime | None = None) -> int:
    """Flag each active priority in its period with no matched item for its ``stale_weeks``
    (once: until the flag is resolved by a new match); the editors and the section chief are
    told in-app. Returns how many were flagged."""
    now = now or timezone.now()
    today = _local_day(now)
    open_flags = StaleFlag.objects.filter(resolved_at=None).values("priority_id")
    raised = 0
    for priority in Priority.objects.filter(
        active=True, starts_on__lte=today, ends_on__gte=today
    ).exclude(pk__in=open_flags):
        start = office_midnight(priority.starts_on)
        since = last_matched_at(priority) or max(start, priority.created_at)
        if now - since < dt.timedelta(weeks=priority.stale_weeks):
            continue
        flag = StaleFlag.objects.create(priority=priority, raised_at=now, since=since)
        record(
            actor=None,
            actor_name="xinbao",
            action="agenda.stale",
            obj=flag,
            summary={"priority": priority.pk, "since": str(since)},
        )
        notify(
            to=resolve(roles=TOLD_OF_STALE),
            event="agenda_stale",
            link=f"/agenda/{priority.pk}/",
            context={
                "title": priority.title,
                "weeks": priority.stale_weeks,
                "since": timezone.localtime(since).strftime("%Y-%m-%d"),
            },
            key=f"agenda-stale-{flag.pk}",
        )
        raised += 1
    return raised


# --- Commissions -----------------------------------------------------------------------------


def commissions_available() -> bool:
    """Whether a stale flag can become a research commission (kept as a function so that the
    page asks one place)."""
    return True


@transaction.atomic
def commission_from_flag(
    *, user: User, flag: StaleFlag, requirements: str, due_on: dt.date
) -> StaleFlag:
    """Turn a stale flag into a research commission (source: a decision without news) to the
    priority's units concerned, sent at once; the flag keeps a link to it."""
    _require_manager(user)
    flag = (
        StaleFlag.objects.select_for_update(no_key=True, of=("self",))
        .select_related("priority")
        .get(pk=flag.pk)
    )
    if flag.commission_id is not None:
        raise AgendaError(_("A commission was made for this flag already."))
    units = list(flag.priority.units.all())
    if not units:
        raise AgendaError(_("Name the units concerned of the priority first."))
    try:
        commission = create_commission(
            subject=flag.priority.title,
            requirements=requirements,
            source=CommissionSource.STALE_PRIORITY,
            form=CommissionForm.COMMISSIONED,
            units=units,
            due_on=due_on,
            user=user,
        )
    except CommissionError as exc:
        raise AgendaError(str(exc)) from exc
    flag.commission = commission
    flag.save(update_fields=["commission"])
    record(
        actor=user,
        action="agenda.flag_commission",
        obj=flag,
        summary={"priority": flag.priority_id, "commission": commission.pk},
    )
    return flag
