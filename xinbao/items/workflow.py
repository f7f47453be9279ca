"""The one state table of an item, and the one function that moves an item along it.

After Wagtail's workflow (``wagtail/models/workflows.py``): the states are explicit
(:class:`~xinbao.items.models.ItemStatus`); every legal move is a row of :data:`TABLE` (from
which state, by which move, to which state, who may make it, which service makes it); and
:func:`transition` is the one function that changes the status of an item that exists. It
refuses an illegal move with a message for the user that names the state and the move, writes
the audit event of the move, and is, with :func:`begin` for a new item, the only code that
assigns ``Item.status`` (``items/tests/test_workflow.py`` keeps it so).

The desk lives above items and makes most of the moves. Items never imports it: the table names
the desk's services by their dotted path, and those services call :func:`transition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import Role, User
from xinbao.accounts.permissions import DESK_ROLES
from xinbao.audit.services import record
from xinbao.items.models import Item, ItemStatus


class TransitionError(Exception):
    """An illegal state change; the message is for the user."""


class Move(StrEnum):
    """What can be done to an item. The desk's decisions share their names with
    ``desk.models.DecisionKind``."""

    CREATE = "create"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    RECEIVE = "receive"
    #: The desk edits the text (a new version); the item stays where it is on the desk.
    EDIT = "edit"
    #: The desk writes a comprehensive item out of merged ones.
    COMPOSE = "compose"
    ADOPT = "adopt"
    MERGE = "merge"
    RETURN = "return"
    REJECT = "reject"
    FORWARD = "forward"
    HIGHER_ADOPTION = "higher_adoption"
    ARCHIVE = "archive"


class Who(StrEnum):
    """Who may make a move."""

    #: Anyone who writes items: reporters for their own unit, the duty officer and editors.
    WRITER = "writer"
    #: The writer's unit: its reporters, or whoever wrote the item for it.
    AUTHOR = "author"
    #: Whoever receives at the office: editors, the section chief, the duty officer.
    OFFICE = "office"
    #: The desk: editors and the section chief.
    DESK = "desk"


#: Roles behind each :class:`Who` that is a set of roles (the desk's: ``DESK_ROLES``).
WRITER_ROLES = frozenset({Role.REPORTER, Role.DUTY_OFFICER, Role.EDITOR})
OFFICE_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF, Role.DUTY_OFFICER})


@dataclass(frozen=True)
class Step:
    """One legal move: from ``source`` (``None``: a new item) by ``move`` to ``target``."""

    source: ItemStatus | None
    move: Move
    target: ItemStatus
    who: Who
    #: The service that makes the move, by dotted path (items does not import the desk).
    service: str
    #: The office receives the item on the way: stamped and audited as a receipt.
    receives: bool = False


S = ItemStatus
_ITEMS = "xinbao.items.services."
_DESK = "xinbao.desk.services."

#: Every legal move of an item. Anything else is refused.
TABLE: tuple[Step, ...] = (
    # The writer's unit.
    Step(None, Move.CREATE, S.DRAFT, Who.WRITER, _ITEMS + "create_item"),
    # Written and submitted in one request: saved once, submitted (both audited) at once.
    Step(None, Move.SUBMIT, S.SUBMITTED, Who.WRITER, _ITEMS + "create_item"),
    Step(S.DRAFT, Move.SUBMIT, S.SUBMITTED, Who.AUTHOR, _ITEMS + "submit_item"),
    Step(S.WITHDRAWN, Move.SUBMIT, S.SUBMITTED, Who.AUTHOR, _ITEMS + "submit_item"),
    # A returned item comes back to the desk when its unit resubmits it.
    Step(S.RETURNED, Move.SUBMIT, S.SUBMITTED, Who.AUTHOR, _ITEMS + "submit_item"),
    Step(S.SUBMITTED, Move.WITHDRAW, S.WITHDRAWN, Who.AUTHOR, _ITEMS + "withdraw_item"),
    # The office.
    Step(S.SUBMITTED, Move.RECEIVE, S.RECEIVED, Who.OFFICE, _ITEMS + "receive_item", True),
    # The desk. Whatever it does to a submitted item receives it first, except a return.
    Step(S.SUBMITTED, Move.EDIT, S.RECEIVED, Who.DESK, _DESK + "edit_item", True),
    Step(S.RECEIVED, Move.EDIT, S.RECEIVED, Who.DESK, _DESK + "edit_item"),
    Step(S.ADOPTED, Move.EDIT, S.ADOPTED, Who.DESK, _DESK + "edit_item"),
    # Submitted and received at once: the desk wrote it, for the desk.
    Step(None, Move.COMPOSE, S.RECEIVED, Who.DESK, _DESK + "merge"),
    Step(S.SUBMITTED, Move.ADOPT, S.ADOPTED, Who.DESK, _DESK + "adopt", True),
    Step(S.RECEIVED, Move.ADOPT, S.ADOPTED, Who.DESK, _DESK + "adopt"),
    # Adopting an adopted item again adds periodicals it is not in yet.
    Step(S.ADOPTED, Move.ADOPT, S.ADOPTED, Who.DESK, _DESK + "adopt"),
    Step(S.SUBMITTED, Move.MERGE, S.MERGED, Who.DESK, _DESK + "merge", True),
    Step(S.RECEIVED, Move.MERGE, S.MERGED, Who.DESK, _DESK + "merge"),
    Step(S.SUBMITTED, Move.RETURN, S.RETURNED, Who.DESK, _DESK + "return_for_revision"),
    Step(S.RECEIVED, Move.RETURN, S.RETURNED, Who.DESK, _DESK + "return_for_revision"),
    Step(S.SUBMITTED, Move.REJECT, S.NOT_ADOPTED, Who.DESK, _DESK + "reject", True),
    Step(S.RECEIVED, Move.REJECT, S.NOT_ADOPTED, Who.DESK, _DESK + "reject"),
    # Forwarding upward and a higher office's adoption leave the status as it is.
    Step(S.SUBMITTED, Move.FORWARD, S.RECEIVED, Who.DESK, _DESK + "forward", True),
    Step(S.RECEIVED, Move.FORWARD, S.RECEIVED, Who.DESK, _DESK + "forward"),
    Step(S.ADOPTED, Move.FORWARD, S.ADOPTED, Who.DESK, _DESK + "forward"),
    Step(S.RECEIVED, Move.HIGHER_ADOPTION, S.RECEIVED, Who.DESK, _DESK + "record_higher_adoption"),
    Step(S.ADOPTED, Move.HIGHER_ADOPTION, S.ADOPTED, Who.DESK, _DESK + "record_higher_adoption"),
    Step(S.ARCHIVED, Move.HIGHER_ADOPTION, S.ARCHIVED, Who.DESK, _DESK + "record_higher_adoption"),
    Step(S.SUBMITTED, Move.ARCHIVE, S.ARCHIVED, Who.DESK, _DESK + "archive", True),
    Step(S.RECEIVED, Move.ARCHIVE, S.ARCHIVED, Who.DESK, _DESK + "archive"),
    Step(S.ADOPTED, Move.ARCHIVE, S.ARCHIVED, Who.DESK, _DESK + "archive"),
    Step(S.NOT_ADOPTED, Move.ARCHIVE, S.ARCHIVED, Who.DESK, _DESK + "archive"),
)

STEPS: dict[tuple[ItemStatus | None, Move], Step] = {(s.source, s.move): s for s in TABLE}

#: What a refused move says; the item's status and title are filled in.
REFUSALS: dict[Move, Promise] = {
    Move.CREATE: _("Only a new item is written: this one is “%(status)s”."),
    Move.SUBMIT: _("This item cannot be submitted: it is “%(status)s”."),
    Move.WITHDRAW: _("This item cannot be withdrawn: it is “%(status)s”."),
    Move.RECEIVE: _("This item cannot be marked as received: it is “%(status)s”."),
    Move.EDIT: _("This item cannot be edited at the desk: it is “%(status)s”."),
    Move.COMPOSE: _("Only a new item is written: this one is “%(status)s”."),
    Move.ADOPT: _("This item cannot be adopted: it is “%(status)s”."),
    Move.MERGE: _("“%(title)s” cannot be merged: it is “%(status)s”."),
    Move.RETURN: _("This item cannot be returned for revision: it is “%(status)s”."),
    Move.REJECT: _("This item cannot be marked not adopted: it is “%(status)s”."),
    Move.FORWARD: _("This item cannot be forwarded: it is “%(status)s”."),
    Move.HIGHER_ADOPTION: _(
        "A higher office's adoption cannot be recorded: the item is “%(status)s”."
    ),
    Move.ARCHIVE: _("This item cannot be archived: it is “%(status)s”."),
}

#: What a user outside a move's :class:`Who` is told.
_NOT_YOURS: dict[Who, Promise] = {
    Who.WRITER: _("Your role may not write items."),
    Who.AUTHOR: _("Only the writer's unit may change this item."),
    Who.OFFICE: _("Your role may not do this."),
    Who.DESK: _("Only editors and section chiefs use the desk."),
}


def is_author(user: User, item: Item) -> bool:
    """The writer's unit: a reporter of the item's unit, or whoever wrote the item."""
    return (user.is_reporter and user.unit_id == item.unit_id) or item.created_by_id == user.pk


def may(user: User, item: Item, who: Who) -> bool:
    if who is Who.AUTHOR:
        return is_author(user, item)
    roles = {Who.WRITER: WRITER_ROLES, Who.OFFICE: OFFICE_ROLES, Who.DESK: DESK_ROLES}[who]
    return user.is_authenticated and user.role in roles


def _source(item: Item) -> ItemStatus | None:
    return None if item._state.adding else ItemStatus(item.status)


def permits(status: str, move: str) -> bool:
    """Whether ``move`` is legal from ``status`` for someone (not saying who)."""
    return (ItemStatus(status), Move(move)) in STEPS


def allowed_moves(user: User, item: Item) -> set[Move]:
    """The moves ``user`` may make on ``item`` now: the buttons a page shows."""
    source = _source(item)
    return {s.move for s in TABLE if s.source == source and may(user, item, s.who)}


def check(*, user: User, item: Item, move: str) -> Step:
    """The step ``move`` takes ``item`` along, if ``user`` may take it now.

    Raises ``TransitionError`` for a move the item's state does not allow (first: it is what
    the page shows) and ``PermissionDenied`` for a user the move is not for.
    """
    move = Move(move)
    status = _source(item)
    step = STEPS.get((status, move))
    if step is None:
        label = ItemStatus(item.status).label
        raise TransitionError(str(REFUSALS[move]) % {"status": label, "title": item.title})
    if not may(user, item, step.who):
        raise PermissionDenied(str(_NOT_YOURS[step.who]))
    return step


def lock(item: Item) -> Item:
    """The item re-read under a row lock (inside the caller's transaction), so that two moves
    cannot both pass the check. Only the item's row: locking its unit too (FOR UPDATE of the
    joined row) deadlocks on PostgreSQL against a transaction holding the audit chain head
    whose commit checks a foreign key to that unit (FOR KEY SHARE)."""
    return (
        Item.objects.select_for_update(no_key=True, of=("self",))
        .select_related("unit")
        .get(pk=item.pk)
    )


def begin(*, user: User, item: Item, move: str) -> None:
    """Give a new, unsaved item the state its creating move starts it in.

    The service that saves it records its creation (with the content it was created with).
    """
    step = check(user=user, item=item, move=move)
    item.status = step.target


def transition(
    *,
    user: User,
    item: Item,
    move: str,
    stamp: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Item:
    """Make ``move`` on ``item``: the one way an item's status changes.

    Locks and re-reads the item, checks the move (:func:`check`), sets the new status with the
    ``stamp`` fields (``submitted_at``, ``merged_into``…) and records an audit event
    ``item.<status>`` for every state the item enters. A move that receives a submitted item
    on the way stamps the receipt and records it first, as a receipt of its own would. A move
    that keeps the status (a forwarding) records nothing here: its service records what was
    done. Returns the item as saved. Must run inside the caller's transaction.
    """
    item = lock(item)
    step = check(user=user, item=item, move=move)
    fields = list(stamp or {})
    if "status" in fields:
        raise ValueError("The status is the table's to set, never a stamp.")
    for name, value in (stamp or {}).items():
        setattr(item, name, value)
    entered: list[ItemStatus] = []
    if step.receives:
        item.received_at = timezone.now()
        item.received_by = user
        fields += ["received_at", "received_by"]
        entered.append(ItemStatus.RECEIVED)
    if step.target != (entered[-1] if entered else step.source):
        entered.append(step.target)
    before = item.status
    if entered:
        item.status = step.target
        fields.append("status")
    if fields:
        item.save(update_fields=[*fields, "updated_at"])
    for status in entered:
        record(
            actor=user,
            action=f"item.{status}",
            obj=item,
            summary={"status": [before, status], "move": step.move},
            request=request,
        )
        before = status
    return item
