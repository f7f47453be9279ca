"""Every write of research commissions: keyword-only, atomic, audited; units are told through
``xinbao.notify`` in the same transaction, and a miss is posted to the scoring ledger.

The state tables: a commission goes draft → sent → closed, or draft|sent → cancelled; a unit's
assignment goes pending → answered, pending → late (answered after the due day), pending →
missed (nothing by the due day: the deduction) → late (answered after the miss; the deduction
stays, the ledger's correction screen can reverse it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.calendar.workdays import is_workday
from xinbao.documents.services import schedule as schedule_documents
from xinbao.items.models import Item, ItemStatus
from xinbao.lib.classified import refuse_classified
from xinbao.notify import Channel, Dispatch, Recipient, notify, queue, resolve
from xinbao.org.models import Position, Unit
from xinbao.research.models import (
    Answer,
    Assignment,
    AssignmentState,
    Commission,
    CommissionForm,
    CommissionSource,
    CommissionState,
)
from xinbao.research.signals import answered
from xinbao.scoring.services import post_missed_commission

#: The office's roles who plan, create, send, close and cancel commissions.
COMMISSION_WRITERS = frozenset({Role.EDITOR, Role.SECTION_CHIEF})
#: Writing requirements a new commission's form starts with.
DEFAULT_REQUIREMENTS = (
    "一、情况：写清基本情况、主要做法和成效，数据准确、事例典型。\n"
    "二、分析：深入分析存在的问题及原因，研判发展趋势。\n"
    "三、对策：提出有针对性、可操作的意见建议。\n"
    "篇幅一般不超过3000字，经单位负责同志审核后报送。"
)
#: The hour (Asia/Shanghai) of the reminder on the working day before the due day.
REMINDER_HOUR = 9

#: Items that may answer a commission: submitted to the office (never a draft or withdrawn).
ANSWERING_STATUSES = frozenset(
    {
        ItemStatus.SUBMITTED,
        ItemStatus.RECEIVED,
        ItemStatus.RETURNED,
        ItemStatus.ADOPTED,
        ItemStatus.NOT_ADOPTED,
        ItemStatus.MERGED,
        ItemStatus.ARCHIVED,
    }
)


class CommissionError(Exception):
    """A move the commission's state or the user's role does not allow, or a wrong value."""


# --- deadlines ---------------------------------------------------------------------------


def _local(day: dt.date, hour: int = 0) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone()
    )


def reminder_at(due_on: dt.date) -> dt.datetime:
    """09:00 of the last working day before ``due_on`` (Asia/Shanghai)."""
    day = due_on - dt.timedelta(days=1)
    for _i in range(60):  # the longest run of days off is far shorter
        if is_workday(day):
            break
        day -= dt.timedelta(days=1)
    return _local(day, REMINDER_HOUR)


def missed_at(due_on: dt.date) -> dt.datetime:
    """Midnight after ``due_on`` (Asia/Shanghai): from then on, an unanswered unit missed it."""
    return _local(due_on + dt.timedelta(days=1))


def _first_check(due_on: dt.date, now: dt.datetime) -> dt.datetime:
    remind = reminder_at(due_on)
    return remind if remind > now else missed_at(due_on)


# --- commissions -------------------------------------------------------------------------


def _require_writer(user: User) -> None:
    if user.role not in COMMISSION_WRITERS:
        raise CommissionError(_("Only the information section's editors make commissions."))


def _check_values(
    *, subject: str, requirements: str, source: str, form: str, units: Sequence[Unit]
) -> None:
    if not subject.strip():
        raise CommissionError(_("Give the commission a subject."))
    if not requirements.strip():
        raise CommissionError(_("Say what the units are to write."))
    if source not in CommissionSource.values:
        raise CommissionError(_("Choose where the topic comes from."))
    if form not in CommissionForm.values:
        raise CommissionError(_("Choose the form of the research."))
    if not units:
        raise CommissionError(_("Choose at least one unit."))
    refuse_classified(subject, requirements)


def _check_due(due_on: dt.date) -> None:
    if due_on <= timezone.localdate():
        raise CommissionError(_("The due day must be after today."))


def _number(commission: Commission, year: int) -> None:
    """Give ``commission`` the next number of ``year`` (约稿〔year〕n号) and store it.

    The year's numbered commissions are locked while the next serial is read, so senders queue;
    the first of a year has no row to lock, and a sender that overlaps it is refused by the
    unique constraint: it reads the serial again (in a savepoint, keeping the transaction).
    """
    for _attempt in range(5):
        serials = Commission.objects.select_for_update(no_key=True).filter(number_year=year)
        taken = [n for n in serials.values_list("number_serial", flat=True) if n is not None]
        commission.number_year, commission.number_serial = year, max(taken, default=0) + 1
        try:
            with transaction.atomic():
                commission.save(update_fields=["number_year", "number_serial"])
        except IntegrityError:
            continue
        return
    raise CommissionError(_("The commission could not be numbered; send it again."))


@transaction.atomic
def create_commission(
    *,
    subject: str,
    requirements: str,
    source: str,
    form: str,
    units: Sequence[Unit],
    due_on: dt.date,
    user: User,
    send: bool = True,
) -> Commission:
    """A commission to ``units``, due on ``due_on``; with ``send`` numbered and sent at once
    (each unit's reporters are told), else a draft the office sends later."""
    _require_writer(user)
    units = list(dict.fromkeys(units))
    _check_values(subject=subject, requirements=requirements, source=source, form=form, units=units)
    _check_due(due_on)
    commission = Commission.objects.create(
        subject=subject.strip(),
        requirements=requirements.strip(),
        source=source,
        form=form,
        due_on=due_on,
        created_by=user,
    )
    Assignment.objects.bulk_create(Assignment(commission=commission, unit=u) for u in units)
    record(
        actor=user,
        action="research.create",
        obj=commission,
        summary={
            "subject": commission.subject,
            "source": source,
            "form": form,
            "due_on": due_on.isoformat(),
            "units": [u.pk for u in units],
        },
    )
    if send:
        commission = send_commission(commission=commission, user=user)
    return commission


@transaction.atomic
def update_commission(
    *,
    commission: Commission,
    subject: str,
    requirements: str,
    source: str,
    form: str,
    units: Sequence[Unit],
    due_on: dt.date,
    user: User,
) -> Commission:
    """Change a draft (a sent commission is not changed: cancel it and send a new one)."""
    _require_writer(user)
    commission = Commission.objects.select_for_update(no_key=True).get(pk=commission.pk)
    if commission.state != CommissionState.DRAFT:
        raise CommissionError(_("Only a draft can be changed."))
    units = list(dict.fromkeys(units))
    _check_values(subject=subject, requirements=requirements, source=source, form=form, units=units)
    _check_due(due_on)
    commission.subject, commission.requirements = subject.strip(), requirements.strip()
    commission.source, commission.form, commission.due_on = source, form, due_on
    commission.save(update_fields=["subject", "requirements", "source", "form", "due_on"])
    commission.assignments.exclude(unit__in=units).delete()
    have = set(commission.assignments.values_list("unit_id", flat=True))
    Assignment.objects.bulk_create(
        Assignment(commission=commission, unit=u) for u in units if u.pk not in have
    )
    record(
        actor=user,
        action="research.update",
        obj=commission,
        summary={"subject": commission.subject, "units": [u.pk for u in units]},
    )
    return commission


def _unit_recipients(unit: Unit) -> list[Recipient]:
    return resolve(units=[unit], positions=[Position.REPORTER])


def _email(to: Recipient) -> str:
    return (to.person.email if to.person else "") or (to.user.email if to.user else "")


def _tell_unit(
    *,
    assignment: Assignment,
    event: str,
    context: dict[str, Any],
    key: str,
    email: bool = True,
) -> None:
    """The unit's reporters in-app, and (``email``) by email those with an address."""
    link = reverse("research:detail", args=[assignment.commission_id])
    for recipient in _unit_recipients(assignment.unit):
        [dispatch] = notify(to=[recipient], event=event, context=context, link=link, key=key)
        if email:
            _mail(recipient, event=event, context=context, link=link, key=key, dispatch=dispatch)


def _mail(
    recipient: Recipient,
    *,
    event: str,
    context: dict[str, Any],
    link: str,
    key: str,
    dispatch: Dispatch | None = None,
    document: str = "",
    document_name: str = "",
) -> None:
    """One email to a recipient with an address; the key makes it once per recipient."""
    if not _email(recipient):
        return
    who = f"p{recipient.person.pk}" if recipient.person else f"u{recipient.user.pk}"  # type: ignore[union-attr]  # a recipient from resolve() has a person or a user
    queue(
        channel=Channel.EMAIL,
        to=recipient,
        event=event,
        context=context,
        link=link,
        dispatch=dispatch,
        document=document,
        document_name=document_name,
        dedupe_key=f"{key}:email:{who}",
    )


def mail_notice(*, commission: Commission, document: str = "") -> None:
    """The sent commission's email to each unit's reporters, with the notice's PDF attached
    (``document``, once the worker rendered it) or, should the render fail, without it. Each
    reporter gets it once whichever comes first."""
    context = _context(commission)
    link = reverse("research:detail", args=[commission.pk])
    name = f"{commission.number}.pdf" if document else ""
    for assignment in commission.assignments.select_related("unit"):
        key = f"research-{commission.pk}-{assignment.unit_id}"
        for recipient in _unit_recipients(assignment.unit):
            _mail(
                recipient,
                event="research_commission",
                context=context,
                link=link,
                key=key,
                document=document,
                document_name=name,
            )


def _context(commission: Commission) -> dict[str, Any]:
    return {
        "number": commission.number,
        "subject": commission.subject,
        "form": str(CommissionForm(commission.form).label),
        "due": commission.due_on.isoformat(),
    }


#: The notice's documents in the document cache (registered in ``research/rendered.py``).
NOTICE_DOCUMENT = "research.notice"


@transaction.atomic
def send_commission(*, commission: Commission, user: User) -> Commission:
    """Number a draft (约稿〔year〕n号), send it, and tell each unit's reporters."""
    _require_writer(user)
    commission = Commission.objects.select_for_update(no_key=True).get(pk=commission.pk)
    if commission.state != CommissionState.DRAFT:
        raise CommissionError(
            _("This commission is %(state)s: it cannot be sent again.")
            % {"state": commission.get_state_display()}
        )
    _check_due(commission.due_on)
    assignments = list(commission.assignments.select_related("unit"))
    if not assignments:
        raise CommissionError(_("Choose at least one unit."))
    now = timezone.now()
    year = timezone.localtime(now).year
    _number(commission, year)
    commission.state, commission.sent_at = CommissionState.SENT, now
    commission.save(update_fields=["state", "sent_at"])
    check = _first_check(commission.due_on, now)
    commission.assignments.update(next_check_at=check)
    record(
        actor=user,
        action="research.send",
        obj=commission,
        summary={"number": commission.number, "units": [a.unit_id for a in assignments]},
    )
    context = _context(commission)
    for assignment in assignments:
        _tell_unit(
            assignment=assignment,
            event="research_commission",
            context=context,
            key=f"research-{commission.pk}-{assignment.unit_id}",
            email=False,  # by mail once the notice is rendered, attached (``mail_notice``)
        )
    # Sent: the worker renders the notice once, after commit; downloads serve it.
    schedule_documents(kind=NOTICE_DOCUMENT, subject_id=commission.pk)
    return commission


@transaction.atomic
def close_commission(*, commission: Commission, user: User) -> Commission:
    """The office closes a sent commission: no more answers, no more checks."""
    _require_writer(user)
    commission = Commission.objects.select_for_update(no_key=True).get(pk=commission.pk)
    if commission.state != CommissionState.SENT:
        raise CommissionError(_("Only a sent commission can be closed."))
    commission.state, commission.closed_at = CommissionState.CLOSED, timezone.now()
    commission.save(update_fields=["state", "closed_at"])
    commission.assignments.update(next_check_at=None)
    record(
        actor=user, action="research.close", obj=commission, summary={"number": commission.number}
    )
    return commission


@transaction.atomic
def cancel_commission(*, commission: Commission, user: User) -> Commission:
    """Withdraw a draft or a sent commission; nobody is reminded or scored for it any more."""
    _require_writer(user)
    commission = Commission.objects.select_for_update(no_key=True).get(pk=commission.pk)
    if commission.state not in (CommissionState.DRAFT, CommissionState.SENT):
        raise CommissionError(_("Only a draft or a sent commission can be cancelled."))
    commission.state, commission.closed_at = CommissionState.CANCELLED, timezone.now()
    commission.save(update_fields=["state", "closed_at"])
    commission.assignments.update(next_check_at=None)
    record(
        actor=user, action="research.cancel", obj=commission, summary={"number": commission.number}
    )
    return commission


# --- the units' side ---------------------------------------------------------------------


def _miss(assignment: Assignment, now: dt.datetime, user: User | None) -> None:
    """Mark a pending assignment missed and post its deduction (once)."""
    commission = assignment.commission
    assignment.state, assignment.missed_at, assignment.next_check_at = (
        AssignmentState.MISSED,
        now,
        None,
    )
    assignment.save(update_fields=["state", "missed_at", "next_check_at"])
    record(
        actor=user,
        actor_name="" if user else "xinbao",
        action="research.missed",
        obj=assignment,
        summary={
            "commission": commission.pk,
            "number": commission.number,
            "unit": assignment.unit_id,
        },
    )
    if not assignment.missed_posted:
        post_missed_commission(
            assignment=assignment,
            unit=assignment.unit,
            on=commission.due_on,
            explanation=f"{commission.number}《{commission.subject}》",
            user=user,
        )
        assignment.missed_posted = True
        assignment.save(update_fields=["missed_posted"])
    _tell_unit(
        assignment=assignment,
        event="research_missed",
        context=_context(commission),
        key=f"research-missed-{assignment.pk}",
    )


@transaction.atomic
def link_answer(*, assignment: Assignment, item: Item, user: User) -> Answer:
    """A reporter of the unit links one of the unit's submitted items as an answer.

    On or before the due day the unit has answered; after it, the answer is late (and a unit
    that had nothing by the due day has missed it first, with the deduction, even if the
    scanner has not come by yet).
    """
    assignment = (
        Assignment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("commission", "unit")
        .get(pk=assignment.pk)
    )
    commission = assignment.commission
    if not (user.is_reporter and user.unit_id == assignment.unit_id):
        raise CommissionError(_("Only a reporter of the unit answers its commission."))
    if commission.state != CommissionState.SENT:
        raise CommissionError(
            _("This commission is %(state)s: it takes no more answers.")
            % {"state": commission.get_state_display()}
        )
    if item.unit_id != assignment.unit_id:
        raise CommissionError(_("Choose an item of your own unit."))
    if item.status not in ANSWERING_STATUSES:
        raise CommissionError(_("Submit the item first; a draft cannot answer a commission."))
    if Answer.objects.filter(assignment=assignment, item=item).exists():
        raise CommissionError(_("This item already answers the commission."))
    now = timezone.now()
    late = timezone.localdate(now) > commission.due_on
    if late and assignment.state == AssignmentState.PENDING:
        _miss(assignment, now, None)
    answer = Answer.objects.create(
        assignment=assignment, item=item, linked_by=user, at=now, late=late
    )
    if assignment.state in (AssignmentState.PENDING, AssignmentState.MISSED):
        assignment.state = AssignmentState.LATE if late else AssignmentState.ANSWERED
        assignment.answered_at = now
        assignment.next_check_at = None
        assignment.save(update_fields=["state", "answered_at", "next_check_at"])
    record(
        actor=user,
        action="research.answer",
        obj=assignment,
        summary={"commission": commission.pk, "item": item.pk, "late": late},
    )
    answered.send(sender=Assignment, assignment=assignment, answer=answer)
    return answer


# --- the scanner's part ------------------------------------------------------------------


def check_assignment(pk: int) -> str:
    """Claim one due assignment (a conditional UPDATE of its check) and remind its unit or
    mark it missed. Returns what was done: "remind", "missed" or "" (nothing was due, or
    another scanner took it)."""
    now = timezone.now()
    with transaction.atomic():
        found = (
            Assignment.objects.select_related("commission", "unit")
            .filter(pk=pk, next_check_at__lte=now)
            .first()
        )
        if found is None:
            return ""
        seen = found.next_check_at
        claimed = Assignment.objects.filter(pk=pk, next_check_at=seen).update(next_check_at=None)
        if not claimed:
            return ""
        commission = found.commission
        if found.state != AssignmentState.PENDING or commission.state != CommissionState.SENT:
            return ""
        if now >= missed_at(commission.due_on):
            _miss(found, now, None)
            return "missed"
        found.reminded_at = now
        found.next_check_at = missed_at(commission.due_on)
        found.save(update_fields=["reminded_at", "next_check_at"])
        record(
            actor=None,
            actor_name="xinbao",
            action="research.remind",
            obj=found,
            summary={"commission": commission.pk, "unit": found.unit_id},
        )
        _tell_unit(
            assignment=found,
            event="research_reminder",
            context=_context(commission),
            key=f"research-remind-{found.pk}",
        )
        return "remind"
