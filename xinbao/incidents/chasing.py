"""The system's moves on a demand's clock: remind, chase, mark a follow-up overdue.

Each service handles one row, runs in its own short transaction, writes an audit event with
no actor (the system) as a person's action would, and tells people through the urgent ladder.
What is due when is the row's own arithmetic (:meth:`ReportRequest.visit_due`,
:meth:`Report.follow_up_owed`); the scanner (``chores.py``) only claims a row and calls these.
Each service re-reads its row under a lock and does nothing when the row moved meanwhile
(reported, phoned, chased by another scanner), so a late or repeated call is harmless.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.audit.services import record
from xinbao.incidents import chase
from xinbao.incidents.conf import urgent_conf
from xinbao.incidents.models import (
    ChaseNotice,
    Lead,
    RecordKind,
    Report,
    ReportRequest,
    Visit,
)
from xinbao.incidents.numbering import next_number, peek_number
from xinbao.incidents.services import record_accountability, timeline
from xinbao.notify import Channel, Dispatch, Recipient, notify, queue, resolve
from xinbao.org.models import Position

#: The name the audit log shows for the system's own moves.
SYSTEM = "system"


def _lock(request: ReportRequest) -> ReportRequest:
    return (
        # Only the demand's row: the incident's and unit's rows locked too would deadlock
        # against a commit that checks a foreign key to them (FOR KEY SHARE) while holding the
        # audit chain head (items/workflow.py's lock).
        ReportRequest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("incident", "unit")
        .get(pk=request.pk)
    )


def _clock(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def remind(*, request: ReportRequest, now: dt.datetime | None = None) -> ReportRequest:
    """Remind the unit's reporters of the earliest open deadline, once, before it falls.

    The next check is the deadline itself. Nothing happens when the deadline has passed or
    nothing is owed any more.
    """
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock(request)
        if request.visit_due(now) != Visit.REMIND:
            return request
        due = request.earliest_open_due()
        assert due is not None  # visit_due said a deadline is open
        unit = request.unit
        dispatches = notify(
            to=resolve(units=[unit], positions=[Position.REPORTER]),
            event="urgent_reminder",
            ladder="urgent",
            context={"matter": request.matter, "unit": unit.name, "deadline": _clock(due)},
            key=f"reminder-{request.pk}-{due.isoformat()}",
        )
        request.reminded_at = now
        request.next_check_at = due
        request.save(update_fields=["reminded_at", "next_check_at"])
        timeline(
            request.incident,
            "reminder",
            _("Reminder sent to %(unit)s before the %(time)s deadline.")
            % {"unit": unit, "time": _clock(due)},
            unit=unit,
        )
        record(
            actor=None,
            actor_name=SYSTEM,
            action="incident.remind",
            obj=request,
            summary={
                "unit": unit.name,
                "due": due.isoformat(),
                "told": [d.recipient_name for d in dispatches],
            },
        )
    return request


def chase_step(*, request: ReportRequest, now: dt.datetime | None = None) -> ReportRequest:
    """Take the next step of the chase of an overdue demand.

    Step 0 first issues the chase notice (重要紧急信息催报通知单) with a new written deadline,
    faxed with an SMS to the unit's head, and records the unit as missed when the office
    learned of the incident from another source. Each step then tells the next rung of the
    unit's chain (``chase_ladder``: reporters, the deputy in charge, the head) on the urgent
    ladder and sets when the next rung is due; past the top rung nothing more happens. The
    notice is drawn before the transaction (its PDF takes a while); should another notice
    take its number meanwhile, it is drawn again under the new one.
    """
    now = now or timezone.now()
    conf = urgent_conf()
    ladder: list[tuple[int, str]] = conf["chase_ladder"]
    request = ReportRequest.objects.select_related("incident", "unit").get(pk=request.pk)
    step = request.chase_step
    if request.visit_due(now) != Visit.CHASE or (step > 0 and step >= len(ladder)):
        return request  # not overdue, or the chase has reached the top of the chain
    drawn = None
    if step == 0:
        new_due = now + dt.timedelta(minutes=conf["chase_extension_minutes"])
        drawn = chase.draw(request, peek_number(ChaseNotice, now), new_due)
    with transaction.atomic():
        request = _lock(request)
        if request.visit_due(now) != Visit.CHASE or request.chase_step != step:
            return request
        summary: dict[str, object] = {"unit": request.unit.name, "step": step + 1}
        if drawn is not None:
            number = next_number(ChaseNotice, now)
            if number != drawn.number:
                drawn = chase.draw(request, number, drawn.new_due)
            notice = _issue_notice(request, drawn, now)
            summary |= {"notice": notice.number, "written_due": drawn.new_due.isoformat()}
        if step < len(ladder):
            role = ladder[step][1]
            summary |= {"role": role, "told": _tell_rung(request, role, step)}
        request.next_check_at = request.next_chase_at(now, ladder)
        request.chase_step = step + 1
        request.save(update_fields=["chase_step", "next_check_at", "written_due_at"])
        record(actor=None, actor_name=SYSTEM, action="incident.chase", obj=request, summary=summary)
    return request


def _issue_notice(request: ReportRequest, drawn: chase.Drawn, now: dt.datetime) -> ChaseNotice:
    """Store the notice, send it to the unit's head, move the written deadline."""
    unit = request.unit
    notice = chase.store(request, drawn, now)
    context = {
        "number": notice.number,
        "matter": request.matter,
        "unit": unit.name,
        "deadline": timezone.localtime(drawn.new_due).strftime("%m-%d %H:%M"),
    }
    heads = resolve(units=[unit], positions=[Position.HEAD])
    dispatches = notify(
        to=heads,
        event="chase_notice",
        ladder="urgent",
        context=context,
        link=f"/incidents/requests/{request.pk}/",
        key=f"chase-notice-{notice.number}",
    )
    for head, dispatch in zip(heads, dispatches, strict=True):
        _fax(head, notice, context, dispatch)
    timeline(
        request.incident,
        "chase_notice",
        _(
            "Overdue: chase notice %(number)s sent to %(unit)s by fax and SMS; "
            "new deadline %(time)s."
        )
        % {"number": notice.number, "unit": unit, "time": _clock(drawn.new_due)},
        unit=unit,
    )
    if Lead.objects.filter(incident=request.incident).exclude(source=unit.name).exists():
        record_accountability(
            unit=unit,
            incident=request.incident,
            kind=RecordKind.MISSED,
            reason=_(
                "The office learned of the incident from another source and %(unit)s "
                "did not report by the deadline."
            )
            % {"unit": unit},
        )
    request.written_due_at = drawn.new_due
    record(
        actor=None,
        actor_name=SYSTEM,
        action="incident.chase_notice",
        obj=notice,
        summary={
            "unit": unit.name,
            "number": notice.number,
            "original_due": notice.original_due_at.isoformat(),
            "new_due": drawn.new_due.isoformat(),
        },
    )
    return notice


def _fax(head: Recipient, notice: ChaseNotice, context: dict[str, str], dispatch: Dispatch) -> None:
    """The notice's PDF by fax, as part of the head's dispatch on the ladder.

    The ladders carry no documents, so the fax joins the dispatch the ladder opened (the way
    scoring's document deliveries do); the fax transport refuses it without the PDF.
    """
    queue(
        channel=Channel.FAX,
        to=head,
        event="chase_notice",
        document=notice.pdf.name,
        context=context,
        dispatch=dispatch,
        dedupe_key=f"chase-{notice.number}-{Channel.FAX}-{head.name}",
    )


def _tell_rung(request: ReportRequest, role: str, step: int) -> list[str]:
    unit = request.unit
    position = Position(role)
    recipients = resolve(units=[unit], positions=[position])
    notify(
        to=recipients,
        event="urgent_chase",
        ladder="urgent",
        context={"matter": request.matter, "unit": unit.name, "step": step + 1},
        key=f"chase-{request.pk}-{step}",
    )
    names = [r.name for r in recipients]
    timeline(
        request.incident,
        "chase",
        _("Chase step %(n)d: %(role)s of %(unit)s told (%(names)s).")
        % {"n": step + 1, "role": position.label, "unit": unit, "names": "、".join(names) or "—"},
        unit=unit,
    )
    return names


def mark_overdue(*, report: Report, now: dt.datetime | None = None) -> Report:
    """Mark a unit's follow-up report overdue: its reporters are told once, the clock stops.

    The clock just stops, with nobody told, when the follow-up is no longer owed (a later
    report came, or the incident closed).
    """
    now = now or timezone.now()
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(no_key=True, of=("self",))
            .select_related("incident", "unit")
            .get(pk=report.pk)
        )
        due = report.next_due_at
        if due is None or due > now:
            return report
        report.next_due_at = None
        report.save(update_fields=["next_due_at"])
        if not report.follow_up_owed():
            return report
        unit = report.unit
        dispatches = notify(
            to=resolve(units=[unit], positions=[Position.REPORTER]),
            event="follow_up_due",
            ladder="urgent",
            context={"title": report.incident.title, "unit": unit.name},
            key=f"follow-up-{report.pk}",
        )
        timeline(
            report.incident,
            "follow_up_due",
            _("Follow-up report due from %(unit)s.") % {"unit": unit},
            unit=unit,
        )
        record(
            actor=None,
            actor_name=SYSTEM,
            action="incident.follow_up_overdue",
            obj=report,
            summary={
                "unit": unit.name,
                "due": due.isoformat(),
                "told": [d.recipient_name for d in dispatches],
            },
        )
    return report
