"""Every write to periodicals, issues, instructions and read receipts.

Keyword-only, atomic, audited. An issue moves through an explicit state machine
(:data:`TRANSITIONS`, after Wagtail's workflow states): compiling → section check → awaiting
signature → signed → distributed → archived, with returns to compiling. An illegal move raises
:class:`IssueError` with a message for the user; a move by the wrong role raises
``PermissionDenied``. Every move writes a :class:`SignOff` and an audit event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.calendar.workdays import add_workdays
from xinbao.desk.models import Adoption, ItemVersion
from xinbao.desk.services import live_lock, record_version
from xinbao.documents import services as documents
from xinbao.items.models import Attachment, AttachmentKind, Item, ItemStatus, Urgency
from xinbao.items.services import after_text_change, normalise_body
from xinbao.lib.classified import classified_marking, classified_message
from xinbao.notify import Recipient, notify, resolve
from xinbao.org.models import Position, Unit
from xinbao.periodicals.access import COMPILER_ROLES
from xinbao.periodicals.models import (
    Instruction,
    InstructionFeedback,
    InstructionStatus,
    Issue,
    IssueItem,
    IssuePicture,
    IssueState,
    Periodical,
    ReadReceipt,
    SignOff,
    SignOffAction,
)
from xinbao.periodicals.routing import (
    DIRECT_ROUTE_ROLES,
    SIGNER_ROLES,
    TOP_SIGNER,
    direct_route_open,
    may_sign,
    required_signer,
    signer_label,
)
from xinbao.periodicals.selectors import default_caption

if TYPE_CHECKING:
    from xinbao.incidents.models import Incident

#: Working days a unit has to answer an instruction unless the leader says otherwise.
FEEDBACK_WORKDAYS = 5
#: Who records a leader's instruction given by phone.
PHONE_RECORDER_ROLES = frozenset({Role.DUTY_OFFICER, Role.EDITOR, Role.SECTION_CHIEF})


class IssueError(Exception):
    """An illegal move or change of an issue or instruction; the message is for the user."""


#: Stands for "whoever holds the issue's signer role" in :data:`TRANSITIONS`.
SIGNER = "signer"


@dataclass(frozen=True)
class Move:
    """One legal step of an issue: what it is called, and who may take it."""

    action: str
    roles: frozenset[str]


#: Every legal move of an issue's state. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], Move] = {
    (IssueState.COMPILING, IssueState.SECTION_CHECK): Move(SignOffAction.SUBMIT, COMPILER_ROLES),
    # Straight to the signer: a periodical without a section check, or the direct route
    # (which the duty officer may take too; see send_direct).
    (IssueState.COMPILING, IssueState.AWAITING_SIGNATURE): Move(
        SignOffAction.SUBMIT, COMPILER_ROLES | DIRECT_ROUTE_ROLES
    ),
    (IssueState.SECTION_CHECK, IssueState.AWAITING_SIGNATURE): Move(
        SignOffAction.CHECK, frozenset({Role.SECTION_CHIEF})
    ),
    (IssueState.SECTION_CHECK, IssueState.COMPILING): Move(
        SignOffAction.RETURN, frozenset({Role.SECTION_CHIEF})
    ),
    # The signer returns it; the section chief may pull it back for changes.
    (IssueState.AWAITING_SIGNATURE, IssueState.COMPILING): Move(
        SignOffAction.RETURN, frozenset({SIGNER, Role.SECTION_CHIEF})
    ),
    (IssueState.AWAITING_SIGNATURE, IssueState.SIGNED): Move(
        SignOffAction.SIGN, frozenset({SIGNER})
    ),
    (IssueState.SIGNED, IssueState.DISTRIBUTED): Move(SignOffAction.DISTRIBUTE, COMPILER_ROLES),
    (IssueState.DISTRIBUTED, IssueState.ARCHIVED): Move(SignOffAction.ARCHIVE, COMPILER_ROLES),
}


def allowed_moves(user: User, issue: Issue) -> set[str]:
    """The sign-off actions ``user`` may take on ``issue`` now (for the buttons on a page)."""
    moves = set()
    for (source, _target), move in TRANSITIONS.items():
        if source != issue.state:
            continue
        if SIGNER in move.roles and may_sign(user, issue):
            moves.add(move.action)
        elif user.role in move.roles:
            moves.add(move.action)
    return moves


def _state_label(state: str) -> str:
    return str(IssueState(state).label)


def _lock(issue: Issue) -> Issue:
    return (
        Issue.objects.select_for_update(no_key=True, of=("self",))
        .select_related("periodical")
        .get(pk=issue.pk)
    )


def _move(
    *,
    user: User,
    issue: Issue,
    to: str,
    comment: str = "",
    request: HttpRequest | None,
    summary: dict[str, Any] | None = None,
    **stamp: Any,
) -> Issue:
    """Take one legal step: check the table and the role, stamp, sign off, audit."""
    issue = _lock(issue)
    move = TRANSITIONS.get((issue.state, to))
    if move is None:
        raise IssueError(
            _("%(issue)s is %(from)s: it cannot go to %(to)s.")
            % {"issue": issue, "from": _state_label(issue.state), "to": _state_label(to)}
        )
    if SIGNER in move.roles and may_sign(user, issue):
        pass
    elif user.role not in move.roles:
        if SIGNER in move.roles and move.roles == {SIGNER}:
            raise PermissionDenied(
                _("Only the %(role)s signs this issue.")
                % {"role": signer_label(issue.signer_role or required_signer(issue)).lower()}
            )
        raise PermissionDenied(_("Your role may not do this with an issue."))
    before = issue.state
    issue.state = to
    for name, value in stamp.items():
        setattr(issue, name, value)
    issue.save(update_fields=["state", *stamp])
    SignOff.objects.create(issue=issue, action=move.action, user=user, comment=comment)
    record(
        actor=user,
        action=f"issue.{move.action}",
        obj=issue,
        summary={"issue": str(issue), "state": [before, to], **(summary or {})},
        request=request,
    )
    return issue


def _require_compiling(issue: Issue) -> None:
    if issue.state != IssueState.COMPILING:
        raise IssueError(
            _("%(issue)s is %(state)s: its content can no longer be changed.")
            % {"issue": issue, "state": _state_label(issue.state)}
        )


def _refuse_classified(*texts: str) -> None:
    marking = classified_marking(*texts)
    if marking:
        raise IssueError(classified_message(marking))


def may_compile(user: User, periodical: Periodical | None = None) -> bool:
    """Editors and section chiefs compile every periodical; the duty officer compiles those
    flagged ``duty_officer_may_issue`` (at night, without an editor)."""
    if user.role in COMPILER_ROLES:
        return True
    return (
        user.role == Role.DUTY_OFFICER
        and periodical is not None
        and periodical.duty_officer_may_issue
    )


def _require_compiler(user: User, periodical: Periodical | None = None) -> None:
    if not may_compile(user, periodical):
        raise PermissionDenied(_("Only editors and section chiefs compile issues."))


# --- issues and their content ----------------------------------------------------------------


def next_numbers(periodical: Periodical, year: int) -> tuple[int, int]:
    """The number in ``year`` and the overall number the next issue of ``periodical`` takes:
    one past the last issue made here, and never below the starting numbers the periodical
    was given (an office moving to Xinbao mid-year goes on from its last paper issue)."""
    issues = Issue.objects.filter(periodical=periodical)
    number = (issues.filter(year=year).aggregate(m=Max("number"))["m"] or 0) + 1
    total = (issues.aggregate(m=Max("total_number"))["m"] or 0) + 1
    if periodical.start_year == year:
        number = max(number, periodical.start_number)
    return number, max(total, periodical.start_total_number)


@transaction.atomic
def create_issue(
    *, user: User, periodical: Periodical, title: str = "", request: HttpRequest | None = None
) -> Issue:
    """A new issue, numbered next in the year and overall.

    The periodical's row is locked first, so two editors creating issues at once get
    consecutive numbers (on SQLite the IMMEDIATE transaction serialises them the same way).
    An issue the duty officer makes is marked ``night_duty``.
    """
    _require_compiler(user, periodical)
    periodical = Periodical.objects.select_for_update(no_key=True).get(pk=periodical.pk)
    if not periodical.is_active:
        raise IssueError(_("%(name)s is no longer published.") % {"name": periodical})
    year = timezone.localdate().year
    number, total = next_numbers(periodical, year)
    issue = Issue.objects.create(
        periodical=periodical,
        year=year,
        number=number,
        total_number=total,
        title=title.strip(),
        night_duty=user.role == Role.DUTY_OFFICER,
        created_by=user,
    )
    record(
        actor=user,
        action="issue.create",
        obj=issue,
        summary={"issue": str(issue), "total_number": total},
        request=request,
    )
    return issue


@transaction.atomic
def set_title(*, user: User, issue: Issue, title: str, request: HttpRequest | None = None) -> Issue:
    _require_compiler(user, issue.periodical)
    issue = _lock(issue)
    _require_compiling(issue)
    _refuse_classified(title)
    issue.title = title.strip()
    issue.save(update_fields=["title"])
    record(
        actor=user,
        action="issue.title",
        obj=issue,
        summary={"title": issue.title},
        request=request,
    )
    return issue


def adoptable_items(periodical: Periodical) -> QuerySet[Item]:
    """Adopted items adopted into ``periodical`` and in none of its issues yet.

    The adoptions are read through ``adoption_waiting`` (those not marked ``in_issue``), never
    the periodical's whole history; each is still checked against the issues' entries, so an
    adoption not marked (rows written in bulk) counts only if it really waits.
    """
    adopted = Adoption.objects.filter(periodical=periodical, in_issue=False).values("item_id")
    placed = IssueItem.objects.filter(item=OuterRef("pk"), issue__periodical=periodical)
    return (
        Item.objects.filter(status=ItemStatus.ADOPTED, pk__in=adopted)
        .exclude(Exists(placed))
        .select_related("unit")
    )


def _mark_in_issue(periodical: Periodical, item_ids: Iterable[int]) -> None:
    """Keep ``Adoption.in_issue`` for ``item_ids`` in ``periodical``: true while in one of its
    issues."""
    ids = set(item_ids)
    placed = set(
        IssueItem.objects.filter(issue__periodical=periodical, item_id__in=ids).values_list(
            "item_id", flat=True
        )
    )
    adoptions = Adoption.objects.filter(periodical=periodical)
    adoptions.filter(item_id__in=placed, in_issue=False).update(in_issue=True)
    adoptions.filter(item_id__in=ids - placed, in_issue=True).update(in_issue=False)


def compilable_items(user: User, periodical: Periodical) -> QuerySet[Item]:
    """What ``user`` may place in an issue of ``periodical``: the adopted items; for the duty
    officer also the major emergency items submitted and not yet decided at the desk (the
    desk's decision waits for the editors in the morning; the direct route does not).
    Never an item labelled above ``user``'s clearance."""
    adopted = adoptable_items(periodical).filter(sensitivity__lte=user.clearance_level)
    if user.role != Role.DUTY_OFFICER:
        return adopted
    placed = IssueItem.objects.filter(item=OuterRef("pk"), issue__periodical=periodical)
    return (
        Item.objects.filter(
            Q(pk__in=adopted.values("pk"))
            | Q(
                status__in=[ItemStatus.SUBMITTED, ItemStatus.RECEIVED],
                urgency=Urgency.MAJOR_EMERGENCY,
            )
        )
        .filter(sensitivity__lte=user.clearance_level)
        .exclude(Exists(placed))
        .select_related("unit")
    )


@transaction.atomic
def add_items(
    *,
    user: User,
    issue: Issue,
    items: Iterable[Item],
    request: HttpRequest | None = None,
) -> list[IssueItem]:
    """Place items at the end of the issue, in the order given.

    Only adopted items adopted into this issue's periodical, and not yet in another of its
    issues, may be placed (and, for the duty officer, see :func:`compilable_items`).
    """
    _require_compiler(user, issue.periodical)
    issue = _lock(issue)
    _require_compiling(issue)
    wanted = list(items)
    allowed = set(
        compilable_items(user, issue.periodical)
        .filter(pk__in=[i.pk for i in wanted])
        .values_list("pk", flat=True)
    )
    for item in wanted:
        if item.pk not in allowed:
            raise IssueError(
                _(
                    "“%(title)s” cannot go into this issue: only items adopted into "
                    "%(periodical)s and not yet in one of its issues may."
                )
                % {"title": item.title, "periodical": issue.periodical}
            )
    last = issue.entries.aggregate(m=Max("position"))["m"] or 0
    entries = []
    for offset, item in enumerate(wanted, 1):
        entries.append(IssueItem.objects.create(issue=issue, item=item, position=last + offset))
    _mark_in_issue(issue.periodical, (i.pk for i in wanted))
    if entries:
        record(
            actor=user,
            action="issue.add_items",
            obj=issue,
            summary={"items": [i.pk for i in wanted]},
            request=request,
        )
    return entries


def _renumber(issue: Issue, ordered: Sequence[IssueItem]) -> None:
    """Write positions 1..n in the order given (two passes: positions are not unique, but a
    clean sequence keeps the printed numbering simple)."""
    for position, entry in enumerate(ordered, 1):
        if entry.position != position:
            IssueItem.objects.filter(pk=entry.pk).update(position=position)
            entry.position = position


@transaction.atomic
def set_position(
    *, user: User, entry: IssueItem, position: int, request: HttpRequest | None = None
) -> IssueItem:
    """Put ``entry`` at ``position`` (1 is first; beyond the end means last)."""
    _require_compiler(user, entry.issue.periodical)
    issue = _lock(entry.issue)
    _require_compiling(issue)
    ordered = [e for e in issue.entries.order_by("position", "pk") if e.pk != entry.pk]
    index = min(max(position, 1), len(ordered) + 1) - 1
    moved = issue.entries.get(pk=entry.pk)
    ordered.insert(index, moved)
    _renumber(issue, ordered)
    record(
        actor=user,
        action="issue.order",
        obj=issue,
        summary={"item": moved.item_id, "position": moved.position},
        request=request,
    )
    return moved


@transaction.atomic
def move_entry(
    *, user: User, entry: IssueItem, direction: str, request: HttpRequest | None = None
) -> IssueItem:
    """Move ``entry`` one place ``up`` or ``down``."""
    if direction not in ("up", "down"):
        raise IssueError(_("Move an item up or down."))
    ordered = list(entry.issue.entries.order_by("position", "pk").values_list("pk", flat=True))
    index = ordered.index(entry.pk) + 1
    return set_position(
        user=user,
        entry=entry,
        position=index - 1 if direction == "up" else index + 1,
        request=request,
    )


@transaction.atomic
def remove_entry(*, user: User, entry: IssueItem, request: HttpRequest | None = None) -> None:
    _require_compiler(user, entry.issue.periodical)
    issue = _lock(entry.issue)
    _require_compiling(issue)
    item_id = entry.item_id
    entry.delete()
    _mark_in_issue(issue.periodical, [item_id])
    _renumber(issue, list(issue.entries.order_by("position", "pk")))
    record(
        actor=user,
        action="issue.remove_item",
        obj=issue,
        summary={"item": item_id},
        request=request,
    )


@transaction.atomic
def set_note(
    *, user: User, entry: IssueItem, note: str, request: HttpRequest | None = None
) -> IssueItem:
    """The editor's note (按语) printed before an item."""
    _require_compiler(user, entry.issue.periodical)
    issue = _lock(entry.issue)
    _require_compiling(issue)
    entry = issue.entries.get(pk=entry.pk)
    _refuse_classified(note)
    entry.editor_note = normalise_body(note)
    entry.save(update_fields=["editor_note"])
    record(
        actor=user,
        action="issue.note",
        obj=issue,
        summary={"item": entry.item_id, "note": entry.editor_note[:100]},
        request=request,
    )
    return entry


@transaction.atomic
def set_pictures(
    *,
    user: User,
    entry: IssueItem,
    pictures: Sequence[tuple[Attachment, str]],
    request: HttpRequest | None = None,
) -> list[IssuePicture]:
    """Choose which pictures of the entry's item print in the issue, in order, each with its
    caption (an empty caption takes :func:`default_caption`). Replaces the earlier choice."""
    _require_compiler(user, entry.issue.periodical)
    issue = _lock(entry.issue)
    _require_compiling(issue)
    entry = issue.entries.get(pk=entry.pk)
    chosen: list[tuple[Attachment, str]] = []
    for attachment, caption in pictures:
        if attachment.item_id != entry.item_id or attachment.kind != AttachmentKind.PICTURE:
            raise IssueError(
                _("“%(name)s” is not a picture of this item.") % {"name": attachment.original_name}
            )
        if any(a.pk == attachment.pk for a, _c in chosen):
            continue
        text = " ".join(caption.split()) or default_caption(attachment)
        if len(text) > 200:
            raise IssueError(_("A caption may be at most 200 characters."))
        _refuse_classified(text)
        chosen.append((attachment, text))
    entry.pictures.all().delete()
    rows = [
        IssuePicture.objects.create(entry=entry, attachment=a, caption=c, position=n)
        for n, (a, c) in enumerate(chosen, 1)
    ]
    record(
        actor=user,
        action="issue.pictures",
        obj=issue,
        summary={"item": entry.item_id, "pictures": [[a.pk, c] for a, c in chosen]},
        request=request,
    )
    return rows


# --- the item's text as edited ---------------------------------------------------------------


def current_text(item: Item) -> tuple[str, str]:
    """The item's title and body as last edited: the desk keeps the current text on the item
    and every earlier one in its versions."""
    return item.title, item.body


@transaction.atomic
def revise_item(
    *,
    user: User,
    issue: Issue,
    entry: IssueItem,
    title: str,
    body: str,
    request: HttpRequest | None = None,
) -> ItemVersion:
    """A leader's revision (阅改) of an item in an issue awaiting their signature.

    Tracked as a new :class:`ItemVersion` with the leader as author, through the desk's
    ``record_version`` (which first keeps the text it replaces as a version), and the item
    carries the new text, so the editor sees the change as a diff and the signature freezes it.
    """
    issue = _lock(issue)
    if issue.state != IssueState.AWAITING_SIGNATURE:
        raise IssueError(
            _("%(issue)s is %(state)s: only an issue awaiting signature is revised by its signer.")
            % {"issue": issue, "state": _state_label(issue.state)}
        )
    if not may_sign(user, issue):
        raise PermissionDenied(_("Only the signer of this issue revises it."))
    if entry.issue_id != issue.pk:
        raise IssueError(_("That item is not in this issue."))
    item = (
        Item.objects.select_for_update(no_key=True, of=("self",))
        .select_related("created_by")
        .get(pk=entry.item_id)
    )
    title, body = title.strip(), normalise_body(body)
    if not title or not body:
        raise IssueError(_("A revised item needs a title and a body."))
    _refuse_classified(title, body)
    if (title, body) == current_text(item):
        raise IssueError(_("Nothing was changed."))
    lock = live_lock(item)
    if lock is not None and lock.user_id != user.pk:
        # The desk's edit lock holds for leaders too: two people never overwrite each other.
        raise IssueError(
            _("%(name)s is editing this item at the desk; try again in a few minutes.")
            % {"name": lock.user}
        )
    version = record_version(
        item=item,
        user=user,
        title=title,
        body=body,
        note=_("Revised in %(issue)s") % {"issue": issue},
    )
    item.title, item.body = title, body
    item.save(update_fields=["title", "body", "updated_at"])
    after_text_change(item)
    number = version.number
    record(
        actor=user,
        action="issue.revise",
        obj=issue,
        summary={"item": item.pk, "version": number},
        request=request,
    )
    return version


# --- the state machine -----------------------------------------------------------------------


def _notify_to_sign(issue: Issue) -> None:
    notify(
        to=resolve(roles=[issue.signer_role]),
        event="issue_to_sign",
        ladder="urgent" if issue.direct_route else "normal",
        context={
            "issue": str(issue),
            "title": issue.title,
            "items": issue.entries.count(),
            "direct": issue.direct_route,
        },
        link=f"/periodicals/sign/{issue.pk}/",
        key=f"issue-{issue.pk}-sign-{issue.signoffs.count()}",
    )


def _to_signature(
    *, user: User, issue: Issue, comment: str, request: HttpRequest | None, direct: bool = False
) -> Issue:
    issue = _lock(issue)
    if not issue.entries.exists():
        raise IssueError(_("An issue without items cannot be sent for signature."))
    issue.direct_route = direct
    role = required_signer(issue)
    issue = _move(
        user=user,
        issue=issue,
        to=IssueState.AWAITING_SIGNATURE,
        comment=comment,
        request=request,
        summary={"signer": role, "direct_route": direct},
        signer_role=role,
        direct_route=direct,
    )
    _notify_to_sign(issue)
    return issue


@transaction.atomic
def submit(
    *, user: User, issue: Issue, comment: str = "", request: HttpRequest | None = None
) -> Issue:
    """Send a compiled issue on: to the section check, or straight to the signer where the
    periodical has no section check."""
    _require_compiler(user)
    issue = _lock(issue)
    _require_compiling(issue)
    if not issue.entries.exists():
        raise IssueError(_("An issue without items cannot be sent on."))
    if not issue.periodical.section_check:
        return _to_signature(user=user, issue=issue, comment=comment, request=request)
    issue = _move(
        user=user,
        issue=issue,
        to=IssueState.SECTION_CHECK,
        comment=comment,
        request=request,
        direct_route=False,
    )
    notify(
        to=resolve(roles=[Role.SECTION_CHIEF]),
        event="issue_to_check",
        context={"issue": str(issue), "title": issue.title, "editor": str(user)},
        link=f"/periodicals/issues/{issue.pk}/",
        key=f"issue-{issue.pk}-check-{issue.signoffs.count()}",
    )
    return issue


@transaction.atomic
def send_direct(
    *, user: User, issue: Issue, comment: str = "", request: HttpRequest | None = None
) -> Issue:
    """The direct route (首接直报): major emergency information goes from any office role
    straight to the principal leader, skipping the section check.

    Sent by the duty officer (at night, without an editor), the issue is marked
    ``night_duty`` and the editors and section chiefs are told in-app, to see it in the
    morning."""
    if user.role not in DIRECT_ROUTE_ROLES:
        raise PermissionDenied(_("Your role may not take the direct route."))
    issue = _lock(issue)
    if issue.state != IssueState.COMPILING:
        raise IssueError(
            _("%(issue)s is %(state)s: the direct route starts from an issue being compiled.")
            % {"issue": issue, "state": _state_label(issue.state)}
        )
    if not direct_route_open(issue):
        raise IssueError(
            _("The direct route is only for an issue holding major emergency information.")
        )
    note = _("Direct route (首接直报) to the %(role)s.") % {
        "role": signer_label(TOP_SIGNER).lower()
    }
    issue = _to_signature(
        user=user,
        issue=issue,
        comment=f"{note} {comment.strip()}".strip(),
        request=request,
        direct=True,
    )
    if user.role == Role.DUTY_OFFICER:
        _issued_at_night(user=user, issue=issue, request=request)
    return issue


#: How long an issue the duty officer sent stays at the top of the section's periodical list.
NIGHT_ISSUE_DAYS = 3


def night_issues() -> QuerySet[Issue]:
    """Issues the duty officer compiled and sent lately, newest first (for the morning)."""
    since = timezone.now() - dt.timedelta(days=NIGHT_ISSUE_DAYS)
    return (
        Issue.objects.filter(night_duty=True, created_at__gte=since)
        .select_related("periodical", "created_by")
        .order_by("-created_at")
    )


def _issued_at_night(*, user: User, issue: Issue, request: HttpRequest | None) -> None:
    """Mark the issue as the duty officer's and tell the section (in-app, for the morning)."""
    issue.night_duty = True
    issue.save(update_fields=["night_duty"])
    record(
        actor=user,
        action="issue.night_duty",
        obj=issue,
        summary={"issue": str(issue), "duty_officer": str(user)},
        request=request,
    )
    notify(
        to=resolve(roles=[Role.EDITOR, Role.SECTION_CHIEF]),
        event="issue_night_duty",
        context={"issue": str(issue), "title": issue.title, "duty_officer": str(user)},
        link=f"/periodicals/issues/{issue.pk}/",
        key=f"issue-{issue.pk}-night-duty",
    )


@transaction.atomic
def check(
    *, user: User, issue: Issue, comment: str = "", request: HttpRequest | None = None
) -> Issue:
    """The section chief's check passed: on to the signer the routing names."""
    issue = _lock(issue)
    if issue.state != IssueState.SECTION_CHECK:
        raise IssueError(
            _("%(issue)s is %(state)s: only an issue in section check can be checked.")
            % {"issue": issue, "state": _state_label(issue.state)}
        )
    role = required_signer(issue)
    issue = _move(
        user=user,
        issue=issue,
        to=IssueState.AWAITING_SIGNATURE,
        comment=comment,
        request=request,
        summary={"signer": role},
        signer_role=role,
    )
    _notify_to_sign(issue)
    return issue


@transaction.atomic
def return_issue(
    *, user: User, issue: Issue, comment: str, request: HttpRequest | None = None
) -> Issue:
    """Back to compiling, with a comment saying why (from section check or from the signer)."""
    if not comment.strip():
        raise IssueError(_("Say why the issue goes back: the editor needs the comment."))
    issue = _move(
        user=user,
        issue=issue,
        to=IssueState.COMPILING,
        comment=comment.strip(),
        request=request,
        summary={"comment": comment.strip()[:200]},
        signer_role="",
        direct_route=False,
    )
    notify(
        to=[Recipient.of_user(issue.created_by)],
        event="issue_returned",
        context={"issue": str(issue), "by": str(user), "comment": comment.strip()},
        link=f"/periodicals/issues/{issue.pk}/",
        key=f"issue-{issue.pk}-returned-{issue.signoffs.count()}",
    )
    return issue


def issue_content(issue: Issue) -> dict[str, Any]:
    """What the issue prints: its numbers, title and items (titles and bodies as edited,
    editor's notes, order, chosen pictures with their captions). The signature freezes
    exactly this."""
    entries = (
        issue.entries.select_related("item", "item__unit")
        .prefetch_related("pictures__attachment")
        .order_by("position", "pk")
    )
    items = []
    for position, entry in enumerate(entries, 1):
        title, body = current_text(entry.item)
        content = {
            "position": position,
            "item": entry.item_id,
            "title": title,
            "body": body,
            "note": entry.editor_note,
            "unit": entry.item.unit.name,
            "urgency": entry.item.urgency,
        }
        pictures = list(entry.pictures.all())
        if pictures:
            # Only when chosen, so that issues without pictures keep the content they had.
            # The SHA-256 ties the signature to the very picture printed.
            content["pictures"] = [
                {
                    "attachment": p.attachment_id,
                    "caption": p.caption,
                    "sha256": p.attachment.sha256,
                }
                for p in pictures
            ]
        items.append(content)
    return printed_content(issue, items)


def printed_content(issue: Issue, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's printed content around its items (each as :func:`issue_content` makes it)."""
    periodical = issue.periodical
    return {
        "periodical": periodical.name,
        "masthead": periodical.masthead_text,
        "issuing_office": periodical.issuing_office,
        "year": issue.year,
        "number": issue.number,
        "total_number": issue.total_number,
        "title": issue.title,
        "items": items,
    }


def signed_content(content: dict[str, Any], signer: User, at: dt.datetime) -> dict[str, Any]:
    """What a signature freezes: the printed content, who signed it, in which role, when."""
    return {
        **content,
        "signer": signer.full_name or signer.username,
        "signer_role": signer.role,
        "signed_at": at.isoformat(),
    }


#: The issue's documents in the document cache (registered in ``periodicals/rendered.py``).
ISSUE_DOCUMENT = "periodicals.issue"


def content_hash(frozen: dict[str, Any]) -> str:
    """SHA-256 of the frozen content in a canonical JSON form (sorted keys, no spaces)."""
    canonical = json.dumps(frozen, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def frozen_intact(issue: Issue) -> bool:
    """Whether a signed issue's frozen content still matches the hash taken at signature."""
    return bool(issue.content_hash) and content_hash(issue.frozen) == issue.content_hash


@transaction.atomic
def sign(
    *, user: User, issue: Issue, comment: str = "", request: HttpRequest | None = None
) -> Issue:
    """The signer signs: the content is frozen with its hash; nothing in it changes again."""
    now = timezone.now()
    issue = _lock(issue)
    frozen = signed_content(issue_content(issue), user, now)
    digest = content_hash(frozen)
    issue = _move(
        user=user,
        issue=issue,
        to=IssueState.SIGNED,
        comment=comment,
        request=request,
        summary={"content_hash": digest},
        signed_by=user,
        signed_at=now,
        frozen=frozen,
        content_hash=digest,
    )
    # Frozen: the worker renders its PDF and DOCX once, after commit; downloads serve them.
    documents.schedule(kind=ISSUE_DOCUMENT, subject_id=issue.pk)
    return issue


def countersign_state(issue: Issue) -> str:
    """ "" when no countersignature is asked for; else "pending" or "done"."""
    if not (issue.direct_route and issue.periodical.countersign):
        return ""
    return "done" if issue.countersigned_at else "pending"


@transaction.atomic
def countersign(
    *, user: User, issue: Issue, comment: str = "", request: HttpRequest | None = None
) -> Issue:
    """The section chief countersigns a direct-route issue after its signature."""
    if user.role != Role.SECTION_CHIEF:
        raise PermissionDenied(_("Only the section chief countersigns."))
    issue = _lock(issue)
    if countersign_state(issue) != "pending" or issue.signed_at is None:
        raise IssueError(_("This issue has no countersignature waiting for it."))
    now = timezone.now()
    issue.countersigned_by = user
    issue.countersigned_at = now
    issue.save(update_fields=["countersigned_by", "countersigned_at"])
    SignOff.objects.create(
        issue=issue, action=SignOffAction.COUNTERSIGN, user=user, comment=comment.strip()
    )
    record(
        actor=user,
        action="issue.countersign",
        obj=issue,
        summary={"issue": str(issue)},
        request=request,
    )
    return issue


@transaction.atomic
def distribute(*, user: User, issue: Issue, request: HttpRequest | None = None) -> Issue:
    """Send a signed issue out: its readers are told, and the reading room shows it."""
    issue = _move(
        user=user,
        issue=issue,
        to=IssueState.DISTRIBUTED,
        request=request,
        distributed_at=timezone.now(),
    )
    readers = issue.periodical.readers.filter(is_active=True).order_by("pk")
    notify(
        to=[Recipient.of_user(u) for u in readers],
        event="issue_distributed",
        context={"issue": str(issue), "title": issue.title},
        link=f"/periodicals/reading/{issue.pk}/",
        key=f"issue-{issue.pk}-distributed",
    )
    return issue


@transaction.atomic
def archive(*, user: User, issue: Issue, request: HttpRequest | None = None) -> Issue:
    return _move(user=user, issue=issue, to=IssueState.ARCHIVED, request=request)


# --- reading room ----------------------------------------------------------------------------


@transaction.atomic
def record_read(
    *, user: User, issue: Issue, request: HttpRequest | None = None
) -> tuple[ReadReceipt, bool]:
    """The reader's receipt, made on their first opening of the issue only."""
    receipt, created = ReadReceipt.objects.get_or_create(
        issue=issue, user=user, defaults={"read_at": timezone.now()}
    )
    if created:
        record(
            actor=user,
            action="issue.read",
            obj=issue,
            summary={"issue": str(issue)},
            request=request,
        )
    return receipt, created


# --- instructions (批示) ---------------------------------------------------------------------


#: Who in each unit concerned hears of an instruction (and of its overdue feedback).
INSTRUCTED_POSITIONS = (Position.HEAD, Position.REPORTER)


def default_units(
    *, item: Item | None = None, issue: Issue | None = None, incident: Incident | None = None
) -> list[Unit]:
    """The units an instruction concerns unless the leader says otherwise: the item's unit and
    joint units, those of every item in the issue, or the units concerned by the incident."""
    if item is not None:
        return [item.unit, *item.joint_units.all()]
    if issue is not None:
        ids = set(issue.entries.values_list("item__unit", flat=True))
        ids |= set(issue.entries.values_list("item__joint_units", flat=True))
        return list(Unit.objects.filter(pk__in=[i for i in ids if i]).order_by("code"))
    if incident is not None:
        return list(incident.units.order_by("code"))
    return []


def default_feedback_due(start: dt.datetime | None = None) -> dt.date:
    """The feedback deadline unless the leader says otherwise: :data:`FEEDBACK_WORKDAYS`
    working days after ``start`` (now), by the office's working calendar."""
    return add_workdays(start or timezone.now(), FEEDBACK_WORKDAYS).date()


def instruction_subject(instruction: Instruction) -> str:
    """What the instruction is on, as people name it: the item's title, the issue, the
    incident."""
    if instruction.item is not None:
        return instruction.item.title
    if instruction.issue is not None:
        return str(instruction.issue)
    return str(instruction.incident)


@dataclass(frozen=True)
class PhoneCall:
    """How a leader's instruction given by phone was taken down."""

    recorded_by: User
    spoken_at: dt.datetime
    read_back: bool


def _instruct(
    *,
    leader: User,
    text: str,
    item: Item | None,
    issue: Issue | None,
    incident: Incident | None,
    units: Iterable[Unit] | None,
    feedback_due: dt.date | None,
    request: HttpRequest | None,
    call: PhoneCall | None = None,
) -> Instruction:
    """Make the instruction on exactly one target, audit it and forward it the same day."""
    targets = [t for t in (item, issue, incident) if t is not None]
    if len(targets) != 1:
        raise IssueError(_("An instruction is given on an item, an issue or an incident."))
    text = normalise_body(text)
    if not text:
        raise IssueError(_("Write the instruction."))
    _refuse_classified(text)
    chosen = list(units) if units is not None else []
    if not chosen:
        chosen = default_units(item=item, issue=issue, incident=incident)
    if not chosen:
        raise IssueError(_("Choose the units the instruction concerns."))
    today = timezone.localdate()
    due = feedback_due or default_feedback_due()
    if due < today:
        raise IssueError(_("The feedback deadline cannot be in the past."))
    instruction = Instruction.objects.create(
        item=item,
        issue=issue,
        incident=incident,
        leader=leader,
        text=text,
        feedback_due=due,
        by_phone=call is not None,
        spoken_at=call.spoken_at if call else None,
        recorded_by=call.recorded_by if call else None,
        read_back=call.read_back if call else False,
    )
    instruction.units.set(chosen)
    summary: dict[str, Any] = {
        "item": item.pk if item else None,
        "issue": issue.pk if issue else None,
        "incident": incident.pk if incident else None,
        "units": [u.name for u in chosen],
        "due": due.isoformat(),
    }
    if call is not None:
        summary |= {
            "leader": str(leader),
            "spoken_at": call.spoken_at.isoformat(),
            "read_back": call.read_back,
        }
    record(
        actor=call.recorded_by if call else leader,
        action="instruction.phone" if call else "instruction.give",
        obj=instruction,
        summary=summary,
        request=request,
    )
    return forward_instruction(instruction=instruction)


@transaction.atomic
def give_instruction(
    *,
    user: User,
    text: str,
    item: Item | None = None,
    issue: Issue | None = None,
    incident: Incident | None = None,
    units: Iterable[Unit] | None = None,
    feedback_due: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Instruction:
    """A leader's written instruction (批示) on an item, an issue or an incident, forwarded
    the same day; feedback is due in :data:`FEEDBACK_WORKDAYS` working days by default."""
    if user.role not in SIGNER_ROLES:
        raise PermissionDenied(_("Only leaders write instructions."))
    return _instruct(
        leader=user,
        text=text,
        item=item,
        issue=issue,
        incident=incident,
        units=units,
        feedback_due=feedback_due,
        request=request,
    )


@transaction.atomic
def record_phone_instruction(
    *,
    user: User,
    leader: User,
    spoken_at: dt.datetime,
    text: str,
    read_back: bool,
    item: Item | None = None,
    issue: Issue | None = None,
    incident: Incident | None = None,
    units: Iterable[Unit] | None = None,
    feedback_due: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Instruction:
    """A leader's instruction given by phone, taken down by the duty officer or an editor.

    Only what was read back to the leader and confirmed goes on record. From then on it is a
    批示 like a written one: forwarded the same day, feedback tracked.
    """
    if user.role not in PHONE_RECORDER_ROLES:
        raise PermissionDenied(
            _("Instructions given by phone are recorded by the duty officer or an editor.")
        )
    if leader.role not in SIGNER_ROLES or not leader.is_active:
        raise IssueError(_("Choose the leader who gave the instruction."))
    if not read_back:
        raise IssueError(
            _("Read the instruction back to the leader and confirm it before recording it.")
        )
    if timezone.is_naive(spoken_at):
        raise IssueError(_("Say when the leader gave the instruction."))
    if spoken_at > timezone.now() + dt.timedelta(minutes=5):
        raise IssueError(_("The time the leader gave the instruction cannot be in the future."))
    return _instruct(
        leader=leader,
        text=text,
        item=item,
        issue=issue,
        incident=incident,
        units=units,
        feedback_due=feedback_due,
        request=request,
        call=PhoneCall(recorded_by=user, spoken_at=spoken_at, read_back=read_back),
    )


@transaction.atomic
def forward_instruction(*, instruction: Instruction) -> Instruction:
    """Tell the heads and reporters of the units concerned (once; a second call does nothing)."""
    if not Instruction.objects.filter(pk=instruction.pk, forwarded_at__isnull=True).update(
        forwarded_at=timezone.now()
    ):
        instruction.refresh_from_db()
        return instruction
    instruction.refresh_from_db()
    units = list(instruction.units.order_by("code"))
    on = instruction_subject(instruction)
    notify(
        to=resolve(units=units, positions=INSTRUCTED_POSITIONS),
        event="instruction_forwarded",
        context={
            "leader": str(instruction.leader),
            "on": on,
            "text": instruction.text,
            "due": instruction.feedback_due.isoformat() if instruction.feedback_due else "",
        },
        link=f"/periodicals/instructions/{instruction.pk}/",
        key=f"instruction-{instruction.pk}-forwarded",
    )
    record(
        actor=None,
        actor_name="xinbao",
        action="instruction.forward",
        obj=instruction,
        summary={"units": [u.name for u in units]},
    )
    return instruction


@transaction.atomic
def answer_instruction(
    *, user: User, instruction: Instruction, text: str, request: HttpRequest | None = None
) -> InstructionFeedback:
    """A unit's feedback on an instruction, by one of its reporters; late after the deadline."""
    if not user.is_reporter or user.unit is None:
        raise PermissionDenied(_("A unit's reporter answers for the unit."))
    instruction = Instruction.objects.select_for_update(no_key=True).get(pk=instruction.pk)
    if not instruction.units.filter(pk=user.unit.pk).exists():
        raise PermissionDenied(_("This instruction was not sent to your unit."))
    if instruction.status != InstructionStatus.OPEN:
        raise IssueError(_("This instruction is closed; no more feedback is taken."))
    text = normalise_body(text)
    if not text:
        raise IssueError(_("Write the feedback."))
    late = instruction.feedback_due is not None and timezone.localdate() > instruction.feedback_due
    feedback = InstructionFeedback.objects.create(
        instruction=instruction, unit=user.unit, text=text, by=user, late=late
    )
    record(
        actor=user,
        action="instruction.feedback",
        obj=instruction,
        summary={"unit": user.unit.name, "late": late},
        request=request,
    )
    return feedback


@transaction.atomic
def close_instruction(
    *, user: User, instruction: Instruction, request: HttpRequest | None = None
) -> Instruction:
    if user.role not in COMPILER_ROLES:
        raise PermissionDenied(_("Only editors and section chiefs close instructions."))
    instruction = Instruction.objects.select_for_update(no_key=True).get(pk=instruction.pk)
    if instruction.status != InstructionStatus.OPEN:
        raise IssueError(_("This instruction is already closed."))
    instruction.status = InstructionStatus.CLOSED
    instruction.closed_at = timezone.now()
    instruction.save(update_fields=["status", "closed_at"])
    record(actor=user, action="instruction.close", obj=instruction, request=request)
    return instruction
