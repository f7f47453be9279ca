"""Every write of the exchange with the partner department: keyword-only, atomic, audited; the
other side is told through ``xinbao.notify`` in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.liaison.models import Direction, Lead, LeadState
from xinbao.lib.classified import refuse_classified
from xinbao.monitor.models import Post
from xinbao.notify import Recipient, notify, resolve
from xinbao.signals.models import EarlySignal

#: The office's roles who take shared leads in and send leads to the department.
OFFICE_HANDLERS = frozenset({Role.EDITOR, Role.SECTION_CHIEF, Role.DUTY_OFFICER})
#: Who in the office is told of a lead the department shares.
TOLD_OF_SHARES = (Role.EDITOR, Role.DUTY_OFFICER)


class LeadError(Exception):
    """A move the lead's state or the user's role does not allow."""


#: The state table: move → (direction, states it may start from, state it leads to, roles).
TRANSITIONS: dict[str, tuple[str, frozenset[str], str, frozenset[str]]] = {
    "take": (
        Direction.IN,
        frozenset({LeadState.SHARED}),
        LeadState.TAKEN,
        OFFICE_HANDLERS,
    ),
    "answer": (
        Direction.OUT,
        frozenset({LeadState.REQUESTED}),
        LeadState.ANSWERED,
        frozenset({Role.PARTNER_LIAISON}),
    ),
}


def allowed_moves(user: User, lead: Lead) -> list[str]:
    moves = []
    for move, (direction, sources, _to, roles) in TRANSITIONS.items():
        if lead.direction != direction or lead.state not in sources or user.role not in roles:
            continue
        if move == "answer" and lead.liaison_id != user.pk:
            continue
        moves.append(move)
    return moves


def _move(*, user: User, lead: Lead, move: str) -> Lead:
    locked = Lead.objects.select_for_update(no_key=True).get(pk=lead.pk)
    if move not in allowed_moves(user, locked):
        raise LeadError(
            _("This lead is %(state)s: you cannot do that now.")
            % {"state": locked.get_state_display()}
        )
    locked.state = TRANSITIONS[move][2]
    return locked


@transaction.atomic
def share(*, user: User, title: str, text: str, source_url: str = "") -> Lead:
    """The liaison shares a post or a lead into the office's inbox."""
    if user.role != Role.PARTNER_LIAISON:
        raise LeadError(_("Only the partner department's liaison shares leads."))
    refuse_classified(title, text)
    now = timezone.now()
    lead = Lead.objects.create(
        direction=Direction.IN,
        title=title.strip(),
        text=text.strip(),
        source_url=source_url,
        liaison=user,
        shared_by=user,
        shared_at=now,
        state=LeadState.SHARED,
    )
    record(actor=user, action="liaison.share", obj=lead, summary={"title": lead.title})
    notify(
        to=resolve(roles=TOLD_OF_SHARES),
        event="liaison_shared",
        link=f"/liaison/{lead.pk}/",
        context={"title": lead.title, "who": user.full_name},
        key=f"lead-{lead.pk}",
    )
    return lead


@transaction.atomic
def send_request(
    *,
    user: User,
    liaison: User,
    title: str,
    text: str,
    question: str,
    due_at: dt.datetime,
    source_url: str = "",
    post: Post | None = None,
    signal: EarlySignal | None = None,
) -> Lead:
    """The office sends a public-opinion lead (or a signal) to the department and asks for an
    answer by ``due_at``; the scanner reminds the liaison once it is overdue."""
    if user.role not in OFFICE_HANDLERS:
        raise LeadError(_("Your role may not send leads to the partner department."))
    if liaison.role != Role.PARTNER_LIAISON or not liaison.is_active:
        raise LeadError(_("Choose an active liaison of the partner department."))
    refuse_classified(title, text, question)
    lead = Lead.objects.create(
        direction=Direction.OUT,
        title=title.strip(),
        text=text.strip(),
        question=question.strip(),
        source_url=source_url,
        post=post,
        signal=signal,
        liaison=liaison,
        shared_by=user,
        shared_at=timezone.now(),
        state=LeadState.REQUESTED,
        due_at=due_at,
        next_check_at=due_at,
    )
    record(
        actor=user,
        action="liaison.request",
        obj=lead,
        summary={"title": lead.title, "liaison": liaison.username, "due": str(due_at)},
    )
    notify(
        to=[Recipient.of_user(liaison)],
        event="liaison_request",
        link=f"/liaison/{lead.pk}/",
        context={
            "title": lead.title,
            "question": lead.question,
            "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
        },
        key=f"lead-{lead.pk}",
    )
    return lead


@transaction.atomic
def take(*, user: User, lead: Lead) -> Lead:
    """The office takes a shared lead in (it has been read and is being followed)."""
    lead = _move(user=user, lead=lead, move="take")
    lead.taken_by = user
    lead.taken_at = timezone.now()
    lead.save(update_fields=["state", "taken_by", "taken_at"])
    record(actor=user, action="liaison.take", obj=lead, summary={"title": lead.title})
    return lead


@transaction.atomic
def answer(*, user: User, lead: Lead, text: str) -> Lead:
    """The liaison answers a lead the office sent; whoever sent it is told."""
    text = text.strip()
    if not text:
        raise LeadError(_("Write the answer."))
    refuse_classified(text)
    lead = _move(user=user, lead=lead, move="answer")
    lead.answer = text
    lead.answered_by = user
    lead.answered_at = timezone.now()
    lead.next_check_at = None
    lead.save(update_fields=["state", "answer", "answered_by", "answered_at", "next_check_at"])
    record(actor=user, action="liaison.answer", obj=lead, summary={"title": lead.title})
    notify(
        to=[Recipient.of_user(lead.shared_by)],
        event="liaison_answered",
        link=f"/liaison/{lead.pk}/",
        context={"title": lead.title, "who": user.full_name},
        key=f"lead-answer-{lead.pk}",
    )
    return lead


def remind_overdue(pk: int) -> bool:
    """Claim an overdue request (a conditional UPDATE of its due check) and remind the liaison
    and the sender once. False when another scanner took it, or it was answered meanwhile."""
    now = timezone.now()
    with transaction.atomic():
        lead = Lead.objects.filter(pk=pk, next_check_at__lte=now).first()
        if lead is None:
            return False
        claimed = Lead.objects.filter(pk=pk, next_check_at=lead.next_check_at).update(
            next_check_at=None, reminded_at=now
        )
        if not claimed or lead.state != LeadState.REQUESTED:
            return False
        record(
            actor=None,
            actor_name="xinbao",
            action="liaison.overdue",
            obj=lead,
            summary={"title": lead.title, "due": str(lead.due_at)},
        )
        notify(
            to=[Recipient.of_user(lead.liaison), Recipient.of_user(lead.shared_by)],
            event="liaison_overdue",
            link=f"/liaison/{lead.pk}/",
            context={
                "title": lead.title,
                "due": timezone.localtime(lead.due_at or now).strftime("%Y-%m-%d %H:%M"),
            },
            key=f"lead-overdue-{lead.pk}",
        )
        return True
