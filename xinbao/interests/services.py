"""Every write of the interests app: keyword-only, atomic, audited; the leader is told through
``xinbao.notify`` in the same transaction (the outbox sends after commit)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.interests.models import (
    Cursor,
    Digest,
    Hit,
    InfoRequest,
    Interest,
    Mark,
    RequestState,
)
from xinbao.items.access import visible_items
from xinbao.items.matching import Match, clean, match, profile
from xinbao.items.models import Item, ItemStatus, Urgency
from xinbao.lib.classified import refuse_classified
from xinbao.notify import Channel, Recipient, notify, queue, resolve
from xinbao.org.models import Unit
from xinbao.periodicals.models import Issue
from xinbao.research.models import CommissionSource
from xinbao.research.services import CommissionError, create_commission

#: Who keeps interests, asks for information and marks what they read.
LEADER_ROLES = frozenset({Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER})
#: Who in the office sees leaders' requests and issues them to units as commissions.
OFFICE_HANDLERS = frozenset({Role.EDITOR, Role.SECTION_CHIEF})
#: Urgencies that also go out on the leader's urgent channel (when the interest asks for it).
URGENT = frozenset({Urgency.GENERAL_URGENT, Urgency.IMPORTANT, Urgency.MAJOR_EMERGENCY})
#: The matcher's cursor row.
CURSOR = "submitted-items"
#: Items the matcher reads in one run; the rest wait for the next run.
BATCH = 500
#: An item submitted in a transaction that commits later than one with a later stamp would be
#: skipped by the cursor: the matcher reads only items submitted at least this long ago.
SETTLE = dt.timedelta(seconds=5)
#: The local hour of the daily digest.
DIGEST_HOUR = 8


class InterestError(Exception):
    """A move the user's role or the object's state does not allow."""


def is_leader(user: User) -> bool:
    return user.is_authenticated and user.role in LEADER_ROLES


def is_handler(user: User) -> bool:
    return user.is_authenticated and user.role in OFFICE_HANDLERS


def _require_leader(user: User) -> None:
    if not is_leader(user):
        raise InterestError(_("Only the office's leaders keep interests and marks."))


def _terms(terms: Iterable[str]) -> list[str]:
    return [t for t in dict.fromkeys(" ".join(t.split()) for t in terms) if clean(t)]


# --- interests -------------------------------------------------------------------------------


@transaction.atomic
def save_interest(
    *,
    user: User,
    name: str,
    keywords: Sequence[str],
    exclude: Sequence[str] = (),
    active: bool = True,
    urgent_channel: bool = True,
    digest: bool = True,
    interest: Interest | None = None,
) -> Interest:
    """Create the leader's interest, or change ``interest`` (theirs only)."""
    _require_leader(user)
    words = _terms(keywords)
    if not words:
        raise InterestError(_("Give at least one keyword."))
    if interest is not None and interest.leader_id != user.pk:
        raise InterestError(_("This is another leader's interest."))
    refuse_classified(name, *words)
    created = interest is None
    interest = interest or Interest(leader=user)
    interest.name = name.strip()
    interest.keywords = words
    interest.exclude = _terms(exclude)
    interest.active = active
    interest.urgent_channel = urgent_channel
    interest.digest = digest
    interest.save()
    record(
        actor=user,
        action="interest.create" if created else "interest.change",
        obj=interest,
        summary={
            "name": interest.name,
            "keywords": interest.keywords,
            "exclude": interest.exclude,
            "active": active,
            "urgent_channel": urgent_channel,
            "digest": digest,
        },
    )
    return interest


@transaction.atomic
def delete_interest(*, user: User, interest: Interest) -> None:
    _require_leader(user)
    if interest.leader_id != user.pk:
        raise InterestError(_("This is another leader's interest."))
    record(actor=user, action="interest.delete", obj=interest, summary={"name": interest.name})
    interest.delete()


# --- served first: the matcher and the digest ------------------------------------------------


def why(interest: Interest, item: Item) -> Match | None:
    """How ``item`` matches ``interest`` now, with the reasons in the active language."""
    return match(profile(interest.keywords, interest.exclude), title=item.title, body=item.body)


@dataclass(frozen=True)
class Served:
    items: int
    hits: int


def _claim_batch(now: dt.datetime) -> tuple[list[Item], Cursor]:
    cursor, _created = Cursor.objects.get_or_create(name=CURSOR)
    # A second scanner waits here; it then reads from where this one stops.
    cursor = Cursor.objects.select_for_update(no_key=True).get(pk=cursor.pk)
    items = Item.objects.filter(submitted_at__isnull=False, submitted_at__lte=now - SETTLE).exclude(
        status__in=(ItemStatus.DRAFT, ItemStatus.WITHDRAWN)
    )
    if cursor.at is not None:
        items = items.filter(submitted_at__gte=cursor.at).exclude(
            submitted_at=cursor.at, pk__lte=cursor.last_pk
        )
    else:
        # The first run starts at the first interest: what was reported before anyone set
        # one is nobody's news (an installation with a history does not flood its leaders).
        first = Interest.objects.order_by("created_at").values_list("created_at", flat=True)
        if not first:
            return [], cursor
        items = items.filter(submitted_at__gte=first[0])
    # The unit is named in each leader's message.
    return list(items.select_related("unit").order_by("submitted_at", "pk")[:BATCH]), cursor


@transaction.atomic
def serve_new_items() -> Served:
    """Match the items submitted since the last run against every active interest set before
    they were submitted, and tell each leader at once of the items they may see (in-app;
    urgent ones also on the urgent ladder where the interest asks for it). Each (interest,
    item) pair is found once."""
    now = timezone.now()
    items, cursor = _claim_batch(now)
    if not items:
        return Served(0, 0)
    interests = list(
        Interest.objects.filter(active=True, leader__is_active=True, leader__role__in=LEADER_ROLES)
        .select_related("leader")
        .order_by("leader_id", "pk")
    )
    profiles = {i.pk: profile(i.keywords, i.exclude) for i in interests}
    found: dict[tuple[int, int], list[tuple[Interest, Match]]] = defaultdict(list)
    # The reasons are kept as data, sent in the office's language and said in the reader's on
    # the pages (``why``).
    for item in items:
        for interest in interests:
            if item.submitted_at is None or item.submitted_at < interest.created_at:
                continue  # an interest serves what is reported once it is set
            m = match(profiles[interest.pk], title=item.title, body=item.body)
            if m is not None:
                found[(interest.leader_id, item.pk)].append((interest, m))
    hits = 0
    by_item = {item.pk: item for item in items}
    leaders = {i.leader_id: i.leader for i in interests}
    visible: dict[int, set[int]] = {}
    for (leader_id, item_pk), matched in found.items():
        if leader_id not in visible:
            pks = [pk for (lid, pk) in found if lid == leader_id]
            visible[leader_id] = set(
                visible_items(leaders[leader_id]).filter(pk__in=pks).values_list("pk", flat=True)
            )
        if item_pk not in visible[leader_id]:
            continue  # labelled above the leader's clearance: never told, never listed
        hits += _tell(leaders[leader_id], by_item[item_pk], matched, now)
    last = items[-1]
    cursor.at, cursor.last_pk = last.submitted_at, last.pk
    cursor.save(update_fields=["at", "last_pk"])
    return Served(len(items), hits)


def _tell(leader: User, item: Item, matched: list[tuple[Interest, Match]], now: dt.datetime) -> int:
    urgent = item.urgency in URGENT and any(i.urgent_channel for i, _m in matched)
    new = []
    for interest, m in matched:
        try:
            with transaction.atomic():
                new.append(
                    Hit.objects.create(
                        interest=interest,
                        item=item,
                        score=m.score,
                        reasons=list(m.facts),
                        at=now,
                        urgent=urgent,
                    )
                )
        except IntegrityError:
            continue  # found before (a rerun over the same items)
    if not new:
        return 0
    for hit in new:
        record(
            actor=None,
            actor_name="xinbao",
            action="interest.hit",
            obj=hit,
            summary={"interest": hit.interest.name, "item": item.pk, "score": hit.score},
        )
    # The message is written in the office's language; pages say the reasons in the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        reasons = [r for _i, m in matched for r in m.reasons]
    notify(
        to=[Recipient.of_user(leader)],
        event="interest_hit",
        ladder="urgent" if urgent else "normal",
        link=f"/items/{item.pk}/",
        context={
            "title": item.title,
            "unit": item.unit.short_name or item.unit.name,
            "interests": "、".join(dict.fromkeys(i.name for i, _m in matched)),
            "reasons": "；".join(dict.fromkeys(reasons)),
            "urgency": item.get_urgency_display(),
        },
        key=f"interest-{leader.pk}-item-{item.pk}",
    )
    return len(new)


def digest_window(now: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime] | None:
    """Today's date and the window of hits of today's digest (the 24 hours up to today's
    08:00, Asia/Shanghai); None before 08:00."""
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return None
    end = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return local.date(), end - dt.timedelta(days=1), end


def digest_due(now: dt.datetime | None = None) -> list[int]:
    """The leaders with a digest interest whose digest of today has not gone out."""
    window = digest_window(now or timezone.now())
    if window is None:
        return []
    today = window[0]
    leaders = (
        Interest.objects.filter(digest=True, active=True, leader__is_active=True)
        .exclude(leader__in=Digest.objects.filter(on=today).values("leader"))
        .values_list("leader_id", flat=True)
    )
    return sorted(set(leaders))


def send_digest(leader_id: int) -> bool:
    """Today's digest of one leader, once (the ``Digest`` row is the claim): the hits of the
    last 24 hours of their digest interests, in-app and by email where they have one.
    False when it went out already, it is too early, or there was nothing to tell."""
    window = digest_window(timezone.now())
    if window is None:
        return False
    today, start, end = window
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = Digest.objects.create(leader_id=leader_id, on=today)
        except IntegrityError:
            return False
        hits = list(
            Hit.objects.filter(
                interest__leader_id=leader_id,
                interest__digest=True,
                at__gte=start,
                at__lt=end,
            )
            .select_related("interest", "interest__leader", "item")
            .order_by("at", "pk")
        )
        if not hits:
            return False
        leader = hits[0].interest.leader
        seen = set(
            visible_items(leader)
            .filter(pk__in=[h.item_id for h in hits])
            .values_list("pk", flat=True)
        )
        rows: dict[int, tuple[Item, list[str]]] = {}
        for hit in hits:
            if hit.item_id in seen:
                rows.setdefault(hit.item_id, (hit.item, []))[1].append(hit.interest.name)
        if not rows:
            return False
        claim.hits = len(rows)
        claim.save(update_fields=["hits"])
        lines = [
            f"{n}. {item.title}（{'、'.join(dict.fromkeys(names))}）"
            for n, (item, names) in enumerate(rows.values(), 1)
        ]
        key = f"interest-digest-{leader_id}-{today.isoformat()}"
        context: dict[str, object] = {
            "date": today.isoformat(),
            "count": len(rows),
            "lines": "\n".join(lines),
        }
        record(
            actor=None,
            actor_name="xinbao",
            action="interest.digest",
            obj=claim,
            summary={"leader": leader.username, "items": len(rows)},
        )
        notify(
            to=[Recipient.of_user(leader)],
            event="interest_digest",
            link="/interests/",
            context=context,
            key=key,
        )
        person = getattr(leader, "person", None)
        if person is not None and person.email:
            queue(
                channel=Channel.EMAIL,
                to=Recipient.of_user(leader),
                event="interest_digest",
                context=context,
                link="/interests/",
                dedupe_key=f"{key}-email",
            )
        return True


# --- requests (点题/交办) ----------------------------------------------------------------------


@transaction.atomic
def ask(
    *,
    user: User,
    subject: str,
    wanted: str,
    wanted_by: dt.date,
    units: Sequence[Unit] = (),
) -> InfoRequest:
    """A leader asks the office for information on a subject by a date."""
    _require_leader(user)
    subject, wanted = subject.strip(), wanted.strip()
    if not subject or not wanted:
        raise InterestError(_("Say what the information is about and what is wanted."))
    if wanted_by < timezone.localdate():
        raise InterestError(_("The date wanted cannot be in the past."))
    refuse_classified(subject, wanted)
    req = InfoRequest.objects.create(
        leader=user, subject=subject, wanted=wanted, wanted_by=wanted_by
    )
    req.units.set(units)
    record(
        actor=user,
        action="interest.request",
        obj=req,
        summary={"subject": subject, "wanted_by": wanted_by.isoformat()},
    )
    notify(
        to=resolve(roles=sorted(OFFICE_HANDLERS)),
        event="interest_request",
        link=f"/interests/requests/{req.pk}/",
        context={"subject": subject, "who": user.full_name, "wanted_by": wanted_by.isoformat()},
        key=f"interest-request-{req.pk}",
    )
    return req


@transaction.atomic
def withdraw_request(*, user: User, request: InfoRequest) -> InfoRequest:
    locked = InfoRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    if locked.leader_id != user.pk:
        raise InterestError(_("Only the leader who asked may withdraw the request."))
    if locked.state != RequestState.OPEN:
        raise InterestError(
            _("This request is %(state)s: you cannot do that now.")
            % {"state": locked.get_state_display()}
        )
    locked.state = RequestState.WITHDRAWN
    locked.save(update_fields=["state"])
    record(
        actor=user,
        action="interest.request_withdraw",
        obj=locked,
        summary={"subject": locked.subject},
    )
    return locked


@transaction.atomic
def issue_request(
    *,
    user: User,
    request: InfoRequest,
    units: Sequence[Unit],
    due_on: dt.date,
    form: str,
    requirements: str,
) -> InfoRequest:
    """The office issues an open request to ``units`` as a research commission (source: a
    leader's request), sent at once; the leader is told, and sees its answers on the
    request's page."""
    if not is_handler(user):
        raise InterestError(_("Only the information section issues leaders' requests."))
    locked = InfoRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    if locked.state != RequestState.OPEN:
        raise InterestError(
            _("This request is %(state)s: you cannot do that now.")
            % {"state": locked.get_state_display()}
        )
    try:
        commission = create_commission(
            subject=locked.subject,
            requirements=requirements,
            source=CommissionSource.LEADER_REQUEST,
            form=form,
            units=units,
            due_on=due_on,
            user=user,
            send=True,
        )
    except CommissionError as exc:
        raise InterestError(str(exc)) from exc
    locked.commission = commission
    locked.state = RequestState.ISSUED
    locked.issued_by = user
    locked.issued_at = timezone.now()
    locked.save(update_fields=["commission", "state", "issued_by", "issued_at"])
    record(
        actor=user,
        action="interest.request_issue",
        obj=locked,
        summary={
            "subject": locked.subject,
            "commission": commission.pk,
            "due_on": due_on.isoformat(),
        },
    )
    notify(
        to=[Recipient.of_user(locked.leader)],
        event="interest_request_issued",
        link=f"/interests/requests/{locked.pk}/",
        context={
            "subject": locked.subject,
            "units": "、".join(u.short_name or u.name for u in units),
            "due_on": due_on.isoformat(),
        },
        key=f"interest-request-issued-{locked.pk}",
    )
    return locked


# --- usefulness marks (适逢其盼) -------------------------------------------------------------


@transaction.atomic
def set_mark(
    *,
    user: User,
    useful: bool,
    note: str = "",
    item: Item | None = None,
    issue: Issue | None = None,
) -> Mark:
    """The leader marks an item or an issue useful or not, with an optional note; a second
    mark on the same object changes the first."""
    _require_leader(user)
    if (item is None) == (issue is None):
        raise InterestError(_("Mark one item or one issue."))
    note = note.strip()
    refuse_classified(note)
    target = {"item": item} if item is not None else {"issue": issue}
    mark, created = Mark.objects.select_for_update(no_key=True).get_or_create(
        leader=user, **target, defaults={"useful": useful, "note": note}
    )
    if not created:
        mark.useful, mark.note = useful, note
        mark.save(update_fields=["useful", "note", "updated_at"])
    record(
        actor=user,
        action="interest.mark",
        obj=mark,
        summary={
            "item": item.pk if item is not None else None,
            "issue": issue.pk if issue is not None else None,
            "useful": useful,
            "note": note,
        },
    )
    return mark
