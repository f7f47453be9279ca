"""Every write of the editorial desk: locks, versions and decisions on items.

Each function is keyword-only, runs in one transaction, writes an audit event, and tells the
unit through ``notify`` (whose outbox rows share the transaction; delivery starts on commit).
Which moves the desk may make, from which status and to which, is the item's one state table
(``xinbao.items.workflow``), and every status change goes through its ``transition``; a move
the table refuses raises ``DeskError`` with a message for the user, in the manner of Wagtail's
workflow transitions. Every decision runs through one skeleton, :func:`_decide`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.desk.access import require_desk
from xinbao.desk.models import (
    Adoption,
    AdoptionLevel,
    Decision,
    DecisionKind,
    EditLock,
    ItemVersion,
)
from xinbao.items import search, workflow
from xinbao.items.models import Channel, Item, ItemKind, Urgency
from xinbao.items.services import after_text_change, normalise_body
from xinbao.items.workflow import Move, TransitionError
from xinbao.lib.classified import classified_marking, classified_message
from xinbao.lib.labels import Sensitivity
from xinbao.notify import notify, resolve
from xinbao.org.models import Position

#: How long an edit lock lasts without being renewed; an expired lock is anyone's to take.
LOCK_MINUTES = 15
LOCK_TIMEOUT = dt.timedelta(minutes=LOCK_MINUTES)

#: Higher offices' levels (the office's own adoptions go through ``adopt``).
HIGHER_LEVELS = (AdoptionLevel.CITY, AdoptionLevel.PROVINCE, AdoptionLevel.CENTRAL)


class DeskError(TransitionError):
    """A move the desk may not make now; the message is for the user."""


@dataclass(frozen=True)
class _Kind:
    """What sets one kind of decision apart, beyond its own part (see :func:`_decide`)."""

    #: The notification its unit gets.
    event: str
    #: Refused while someone else holds the edit lock: the decision is about the text.
    waits_for_editor: bool = True


_KINDS: dict[str, _Kind] = {
    DecisionKind.ADOPT: _Kind("desk_adopted"),
    DecisionKind.MERGE: _Kind("desk_merged"),
    DecisionKind.RETURN: _Kind("desk_returned"),
    DecisionKind.REJECT: _Kind("desk_rejected"),
    DecisionKind.FORWARD: _Kind("desk_forwarded", waits_for_editor=False),
    DecisionKind.HIGHER_ADOPTION: _Kind("desk_higher_adopted", waits_for_editor=False),
    DecisionKind.ARCHIVE: _Kind("desk_archived"),
}

#: A decision's own part: what its Decision row stores (``data``) and what the unit's message
#: says beyond the title and the comment (``context``).
Details = tuple[Mapping[str, Any], Mapping[str, str]]


# --- small helpers ---------------------------------------------------------------------


def _check(user: User, item: Item, move: str) -> None:
    """The state table's verdict on ``move``, a refusal raised as the desk's error."""
    try:
        workflow.check(user=user, item=item, move=move)
    except TransitionError as exc:
        raise DeskError(str(exc)) from None


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def live_lock(item: Item, now: dt.datetime | None = None) -> EditLock | None:
    """The item's lock while it lasts; ``None`` when free or expired."""
    now = now or timezone.now()
    return (
        EditLock.objects.filter(item_id=item.pk, expires_at__gt=now).select_related("user").first()
    )


def _refuse_if_locked_by_other(user: User, item: Item) -> None:
    lock = live_lock(item)
    if lock is not None and lock.user_id != user.pk:
        raise DeskError(
            _("%(name)s is editing this item until %(time)s; wait for them or ask them to finish.")
            % {"name": lock.user, "time": _when(lock.expires_at)}
        )


def _drop_lock(item: Item) -> None:
    """A decision that takes the item off the desk ends whatever editing was going on."""
    EditLock.objects.filter(item_id=item.pk).delete()


def _title_for_unit(item: Item) -> str:
    """The item's title as messages to its unit name it. They go out by SMS and mail, past any
    clearance check: a title above what a reporter reads by default (内部) is not sent, its
    label is; the link leads to the item for whoever may read it."""
    if item.sensitivity > Sensitivity.INTERNAL:
        return _("(an item labelled %(label)s)") % {"label": Sensitivity(item.sensitivity).label}
    return item.title


def _open(user: User, item: Item, kind: str) -> Item:
    """The item locked and re-read, once the table and the edit lock let ``kind`` be decided."""
    item = workflow.lock(item)
    _check(user, item, kind)
    if _KINDS[kind].waits_for_editor:
        _refuse_if_locked_by_other(user, item)
    return item


def _decide(
    *,
    user: User,
    item: Item,
    kind: str,
    comment: str = "",
    details: Details | Callable[[Item], Details] = ({}, {}),
    stamp: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Decision:
    """The one skeleton of every decision.

    Locks the item and checks the decision through the state table (and, for a decision on
    the text, that nobody else is editing it); applies the decision's own part, ``details``:
    data, or a callable run on the locked item that may still refuse and may write rows of its
    own; moves the item through ``workflow.transition`` (with ``stamp``); ends any editing if
    the item has left the desk; records the Decision, audits it and tells the item's units
    (their messages are delivered after commit). Part of the caller's transaction.
    """
    item = _open(user, item, kind)
    data, context = details(item) if callable(details) else details
    item = workflow.transition(user=user, item=item, move=kind, stamp=stamp, request=request)
    if not workflow.permits(item.status, Move.EDIT):
        _drop_lock(item)
    decision = Decision.objects.create(
        item=item, kind=kind, comment=comment, data=dict(data), by=user
    )
    record(
        actor=user,
        action=f"desk.{kind}",
        obj=item,
        summary={
            "decision": decision.pk,
            "status": item.status,
            "comment": comment,
            **data,
        },
        request=request,
    )
    notify(
        # The reporters of the item's unit and of its joint units, each told once.
        to=resolve(units=[item.unit, *item.joint_units.all()], positions=[Position.REPORTER]),
        event=_KINDS[kind].event,
        context={"title": _title_for_unit(item), "comment": comment, **context},
        ladder="normal",
        link=reverse("items:detail", args=[item.pk]),
        key=f"desk-decision-{decision.pk}",
    )
    return decision


# --- locks ---------------------------------------------------------------------------------


@transaction.atomic
def acquire_lock(*, user: User, item: Item, request: HttpRequest | None = None) -> EditLock:
    """Take the edit lock, or renew one's own for another ``LOCK_MINUTES``.

    An expired lock is free to take. Someone else's live lock refuses with their name and
    the time it runs out.
    """
    require_desk(user)
    item = workflow.lock(item)
    _check(user, item, Move.EDIT)
    now = timezone.now()
    lock = EditLock.objects.filter(item_id=item.pk).select_related("user").first()
    if lock is not None and lock.user_id != user.pk and lock.expires_at > now:
        raise DeskError(
            _("%(name)s holds the edit lock on this item until %(time)s.")
            % {"name": lock.user, "time": _when(lock.expires_at)}
        )
    renewing = lock is not None and lock.user_id == user.pk and lock.expires_at > now
    if lock is None:
        lock = EditLock(item=item, user=user, acquired_at=now)
    elif not renewing:
        lock.user = user
        lock.acquired_at = now
    lock.expires_at = now + LOCK_TIMEOUT
    lock.save()
    if not renewing:
        # Renewals are frequent and say nothing new; taking a lock is worth a record.
        record(
            actor=user,
            action="desk.lock",
            obj=item,
            summary={"until": lock.expires_at.isoformat()},
            request=request,
        )
    return lock


@transaction.atomic
def release_lock(*, user: User, item: Item, request: HttpRequest | None = None) -> bool:
    """Give the lock back. A section chief may break anyone's lock; others only their own.

    Returns whether there was a lock to release.
    """
    require_desk(user)
    lock = EditLock.objects.select_for_update(no_key=True).filter(item_id=item.pk).first()
    if lock is None:
        return False
    live = lock.expires_at > timezone.now()
    if live and lock.user_id != user.pk and user.role != Role.SECTION_CHIEF:
        raise DeskError(_("Only its holder or a section chief may release this lock."))
    holder = lock.user_id
    lock.delete()
    record(
        actor=user,
        action="desk.unlock",
        obj=item,
        summary={"holder": holder, "broken": holder != user.pk and live},
        request=request,
    )
    return True


# --- versions ------------------------------------------------------------------------------


def _next_number(item: Item) -> int:
    top = ItemVersion.objects.filter(item_id=item.pk).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def record_version(*, item: Item, user: User, title: str, body: str, note: str = "") -> ItemVersion:
    """Add a version after the item's history, first saving the text it replaces.

    Version 1 is the unit's original text, saved lazily on the first edit. A text changed
    since the last version (the unit's revision after a return) is saved as a version of
    its own first, so a diff never hides who wrote what. Part of the caller's transaction;
    the leaders' revisions use it too.
    """
    last = ItemVersion.objects.filter(item_id=item.pk).order_by("-number").first()
    if last is None:
        ItemVersion.objects.create(
            item=item,
            number=1,
            title=item.title,
            body=item.body,
            author_id=item.created_by_id,
            role=item.created_by.role,
            note=_("Original text"),
        )
    elif (last.title, last.body) != (item.title, item.body):
        ItemVersion.objects.create(
            item=item,
            number=last.number + 1,
            title=item.title,
            body=item.body,
            author_id=item.created_by_id,
            role=item.created_by.role,
            note=_("Revised by the unit"),
        )
    return ItemVersion.objects.create(
        item=item,
        number=_next_number(item),
        title=title,
        body=body,
        author=user,
        role=user.role,
        note=note[:200],
    )


def _check_text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), normalise_body(body)
    if not title or not body:
        raise DeskError(_("An item needs a title and a text."))
    marking = classified_marking(title, body)
    if marking:
        raise DeskError(classified_message(marking))
    return title, body


@transaction.atomic
def edit_item(
    *,
    user: User,
    item: Item,
    title: str,
    body: str,
    note: str = "",
    base_version: int | None = None,
    request: HttpRequest | None = None,
) -> ItemVersion:
    """Save the desk's edit as a new version and make it the item's text.

    Requires the caller's live edit lock (and renews it). ``base_version`` is the version
    the editor started from: if someone saved another since, the edit is refused rather
    than silently overwriting it.
    """
    require_desk(user)
    item = workflow.lock(item)
    _check(user, item, Move.EDIT)
    lock = live_lock(item)
    if lock is None or lock.user_id != user.pk:
        if lock is None:
            raise DeskError(_("Take the edit lock before editing; it may have expired."))
        raise DeskError(
            _("%(name)s holds the edit lock on this item until %(time)s.")
            % {"name": lock.user, "time": _when(lock.expires_at)}
        )
    entry = item.issue_entries.exclude(issue__state="compiling").select_related("issue").first()
    if entry is not None:
        # Past compiling, the text is what the section chief checked and the leader signs:
        # only the leader's tracked revision may still change it.
        raise DeskError(
            _("This item is in %(issue)s, which has left compiling; return the issue first.")
            % {"issue": entry.issue}
        )
    title, body = _check_text(title, body)
    if (title, body) == (item.title, item.body):
        raise DeskError(_("Nothing was changed."))
    latest = ItemVersion.objects.filter(item_id=item.pk).aggregate(n=Max("number"))["n"]
    if base_version is not None and latest is not None and base_version != latest:
        raise DeskError(
            _("The text was changed (version %(n)s) since you opened it; reload and edit again.")
            % {"n": latest}
        )
    # A submitted item is received on the way (the state table's edit from submitted).
    item = workflow.transition(user=user, item=item, move=Move.EDIT, request=request)
    version = record_version(item=item, user=user, title=title, body=body, note=note)
    changed = [
        name for name, new in (("title", title), ("body", body)) if getattr(item, name) != new
    ]
    item.title, item.body = title, body
    item.save(update_fields=["title", "body", "updated_at"])
    after_text_change(item)
    lock.expires_at = timezone.now() + LOCK_TIMEOUT
    lock.save(update_fields=["expires_at"])
    record(
        actor=user,
        action="desk.edit",
        obj=item,
        summary={"version": version.number, "changed": changed, "note": note},
        request=request,
    )
    return version


# --- decisions -----------------------------------------------------------------------------


class Periodical(Protocol):
    """What the desk needs of a periodical it adopts into. The desk sits below periodicals
    (they read its adoptions, versions and edit lock), so it names their model only in
    ``Adoption``'s foreign key."""

    pk: Any
    name: str
    is_active: bool


def _names(periodicals: Sequence[Periodical]) -> str:
    return "、".join(p.name for p in periodicals)


@transaction.atomic
def adopt(
    *,
    user: User,
    periodicals: Sequence[Periodical],
    item: Item | None = None,
    items: Iterable[Item] = (),
    comment: str = "",
    request: HttpRequest | None = None,
) -> list[Adoption]:
    """Adopt one item (``item``) or several (``items``) into one or more periodicals.

    Each item gets an office-level adoption per periodical, dated today, a decision, the
    status ADOPTED (a submitted item is received on the way) and a message to its unit.
    """
    require_desk(user)
    targets = ([item] if item is not None else []) + list(items)
    if not targets:
        raise DeskError(_("Choose the items to adopt."))
    chosen = list({p.pk: p for p in periodicals}.values())
    if not chosen:
        raise DeskError(_("Choose at least one periodical."))
    inactive = [p.name for p in chosen if not p.is_active]
    if inactive:
        raise DeskError(
            _("These periodicals are no longer published: %(names)s.")
            % {"names": "、".join(inactive)}
        )
    today = timezone.localdate()
    made: list[Adoption] = []

    def adoptions(target: Item) -> Details:
        already = set(
            Adoption.objects.filter(item_id=target.pk, periodical__in=chosen).values_list(
                "periodical_id", flat=True
            )
        )
        new = [p for p in chosen if p.pk not in already]
        if not new:
            raise DeskError(
                _("“%(title)s” is already adopted into %(names)s.")
                % {"title": target.title, "names": _names(chosen)}
            )
        for periodical in new:
            made.append(
                Adoption.objects.create(
                    item=target,
                    level=AdoptionLevel.OFFICE,
                    periodical_id=periodical.pk,
                    adopted_on=today,
                    by=user,
                )
            )
        return (
            {"periodicals": [p.pk for p in new], "names": [p.name for p in new]},
            {"periodicals": _names(new)},
        )

    for target in targets:
        _decide(
            user=user,
            item=target,
            kind=DecisionKind.ADOPT,
            comment=comment.strip(),
            details=adoptions,
            request=request,
        )
    return made


def _most_urgent(items: Sequence[Item]) -> str:
    order = list(Urgency)
    return max((Urgency(i.urgency) for i in items), key=order.index).value


@transaction.atomic
def merge(
    *,
    user: User,
    items: Sequence[Item],
    title: str,
    body: str,
    periodicals: Sequence[Periodical] = (),
    comment: str = "",
    request: HttpRequest | None = None,
) -> Item:
    """Merge several items into a new comprehensive item (综合采用) that credits every unit.

    The new item's unit is the first source's; every other source unit (and the sources'
    own joint units) become its joint units. The sources become MERGED, pointing at it,
    each with a decision and a message to its unit. With ``periodicals`` the new item is
    adopted into them at once.
    """
    require_desk(user)
    unique = list({i.pk: i for i in items}.values())
    if len(unique) < 2:
        raise DeskError(_("Choose at least two items to merge."))
    title, body = _check_text(title, body)
    # Every source is checked before anything is written.
    sources = [_open(user, source, DecisionKind.MERGE) for source in unique]
    main_unit = sources[0].unit
    credited = {s.unit_id for s in sources}
    for source in sources:
        credited.update(source.joint_units.values_list("pk", flat=True))
    credited.discard(main_unit.pk)
    now = timezone.now()
    merged = Item(
        title=title,
        body=body,
        kind=ItemKind.COMPREHENSIVE,
        urgency=_most_urgent(sources),
        # It tells what its sources told: it carries the highest of their labels.
        sensitivity=max(s.sensitivity for s in sources),
        unit=main_unit,
        writer_name=user.full_name or user.username,
        writer_phone=user.phone,
        channel=Channel.WEB,
        created_by=user,
        # Submitted and received at once: the desk wrote it, for the desk.
        submitted_at=now,
        received_at=now,
        received_by=user,
    )
    workflow.begin(user=user, item=merged, move=Move.COMPOSE)
    merged.save()
    merged.joint_units.set(credited)
    topics = {t.pk for s in sources for t in s.topics.all()}
    merged.topics.set(topics)
    after_text_change(merged)
    search.forget_items(sources)
    record(
        actor=user,
        action="desk.merge.create",
        obj=merged,
        summary={"title": title, "sources": [s.pk for s in sources], "units": sorted(credited)},
        request=request,
    )
    for source in sources:
        _decide(
            user=user,
            item=source,
            kind=DecisionKind.MERGE,
            comment=comment.strip(),
            details=({"into": merged.pk}, {"merged_title": merged.title}),
            stamp={"merged_into": merged},
            request=request,
        )
    if periodicals:
        adopt(user=user, item=merged, periodicals=periodicals, comment=comment, request=request)
        merged.refresh_from_db()
    return merged


@transaction.atomic
def return_for_revision(
    *, user: User, item: Item, comment: str, request: HttpRequest | None = None
) -> Item:
    """Send the item back to its unit with a comment; its versions and decisions stay.

    The unit edits it and submits it again (``items.services.submit_item``), which brings
    it back to the desk as SUBMITTED.
    """
    require_desk(user)
    comment = comment.strip()
    if not comment:
        raise DeskError(_("Say what the unit should revise."))
    return _decide(
        user=user, item=item, kind=DecisionKind.RETURN, comment=comment, request=request
    ).item


@transaction.atomic
def reject(*, user: User, item: Item, reason: str, request: HttpRequest | None = None) -> Item:
    """Not adopted, with the reason the unit is shown."""
    require_desk(user)
    reason = reason.strip()
    if not reason:
        raise DeskError(_("Give the unit a reason why the item is not adopted."))
    return _decide(
        user=user, item=item, kind=DecisionKind.REJECT, comment=reason, request=request
    ).item


@transaction.atomic
def forward(
    *,
    user: User,
    item: Item,
    to_office: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Decision:
    """Forward the item upward (转报) to a higher office; its adoption is recorded later."""
    require_desk(user)
    to_office = to_office.strip()
    if not to_office:
        raise DeskError(_("Name the office the item is forwarded to."))
    return _decide(
        user=user,
        item=item,
        kind=DecisionKind.FORWARD,
        comment=comment.strip(),
        details=({"to": to_office}, {"to": to_office}),
        request=request,
    )


@transaction.atomic
def record_higher_adoption(
    *,
    user: User,
    item: Item,
    level: str,
    publication: str,
    adopted_on: dt.date,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Adoption:
    """Record that a higher office (city, province, centre) adopted a forwarded item."""
    require_desk(user)
    if level not in HIGHER_LEVELS:
        raise DeskError(_("Choose the level of the higher office: city, province or centre."))
    publication = publication.strip()
    if not publication:
        raise DeskError(_("Name the publication that adopted the item."))
    if adopted_on > timezone.localdate():
        raise DeskError(_("The date of adoption cannot be in the future."))
    made: list[Adoption] = []

    def adoption(target: Item) -> Details:
        if not Decision.objects.filter(item_id=target.pk, kind=DecisionKind.FORWARD).exists():
            raise DeskError(
                _("Record the forwarding first: only a forwarded item is adopted above.")
            )
        made.append(
            Adoption.objects.create(
                item=target, level=level, publication=publication, adopted_on=adopted_on, by=user
            )
        )
        return (
            {
                "adoption": made[0].pk,
                "level": level,
                "publication": publication,
                "adopted_on": adopted_on.isoformat(),
            },
            {
                "level": str(AdoptionLevel(level).label),
                "publication": publication,
                "adopted_on": adopted_on.isoformat(),
            },
        )

    _decide(
        user=user,
        item=item,
        kind=DecisionKind.HIGHER_ADOPTION,
        comment=comment.strip(),
        details=adoption,
        request=request,
    )
    return made[0]


@transaction.atomic
def archive(
    *, user: User, item: Item, comment: str = "", request: HttpRequest | None = None
) -> Item:
    """Take the item off the desk for good (kept for reference)."""
    require_desk(user)
    return _decide(
        user=user, item=item, kind=DecisionKind.ARCHIVE, comment=comment.strip(), request=request
    ).item
