"""The scanner's part in urgent information: reminders, deadlines, chase notices, escalation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.incidents.chase import issue_notice
from xinbao.incidents.conf import urgent_conf
from xinbao.incidents.models import Lead, RecordKind, Report, ReportRequest, ReportStage
from xinbao.incidents.services import _record, timeline
from xinbao.notify.addressing import resolve
from xinbao.notify.ladders import notify
from xinbao.notify.models import Channel
from xinbao.notify.services import Recipient, queue
from xinbao.scheduler.registry import register


@register("incidents.deadlines", dt.timedelta(seconds=15))
def scan_deadlines() -> str:
    """Visit every demand whose next check is due; each visit is claimed by one scanner."""
    now = timezone.now()
    done = 0
    due = ReportRequest.objects.filter(next_check_at__lte=now).select_related("incident", "unit")
    for request in due[:200]:
        with transaction.atomic():
            # Conditional UPDATE: a second scanner holding the same row finds it moved.
            if not ReportRequest.objects.filter(
                pk=request.pk, next_check_at=request.next_check_at
            ).update(next_check_at=None):
                continue
            _visit(request, now)
        done += 1
    done += _scan_follow_ups(now)
    return f"{done} deadlines handled"


def _visit(request: ReportRequest, now: dt.datetime) -> None:
    open_due = [
        d
        for d in (
            request.phone_due_at if request.phoned_at is None else None,
            request.written_due_at,
        )
        if d and request.reported_at is None
    ]
    if request.reported_at is not None or not open_due:
        return
    due = min(open_due)
    if now < due:
        _remind(request, due)
        ReportRequest.objects.filter(pk=request.pk).update(reminded_at=now, next_check_at=due)
        return
    _chase(request, now)


def _remind(request: ReportRequest, due: dt.datetime) -> None:
    notify(
        to=resolve("reporters", request.unit),
        event="urgent_reminder",
        ladder="urgent",
        context={
            "matter": request.matter,
            "unit": request.unit.name,
            "deadline": timezone.localtime(due).strftime("%H:%M"),
        },
        key=f"reminder-{request.pk}-{due.isoformat()}",
    )
    timeline(
        request.incident,
        "reminder",
        _("Reminder sent to %(unit)s before the %(time)s deadline.")
        % {"unit": request.unit, "time": timezone.localtime(due).strftime("%H:%M")},
        unit=request.unit,
    )


def _chase(request: ReportRequest, now: dt.datetime) -> None:
    """One step of the chase ladder: the notice first, then up the unit's chain."""
    conf = urgent_conf()
    ladder: list[tuple[int, str]] = conf["chase_ladder"]
    step = request.chase_step
    unit = request.unit
    if step == 0:
        new_due = now + dt.timedelta(minutes=conf["chase_extension_minutes"])
        notice = issue_notice(request, new_due)
        heads = resolve("head", unit)
        for head in heads:
            for channel, document in ((Channel.FAX, notice.pdf.name), (Channel.SMS, "")):
                queue(
                    channel=channel,
                    to=head,
                    event="chase_notice",
                    document=document,
                    context={
                        "number": notice.number,
                        "matter": request.matter,
                        "unit": unit.name,
                        "deadline": timezone.localtime(new_due).strftime("%m-%d %H:%M"),
                    },
                    dedupe_key=f"chase-{notice.number}-{channel}-{head.name}",
                )
        timeline(
            request.incident,
            "chase_notice",
            _(
                "Overdue: chase notice %(number)s sent to %(unit)s by fax and SMS; "
                "new deadline %(time)s."
            )
            % {
                "number": notice.number,
                "unit": unit,
                "time": timezone.localtime(new_due).strftime("%H:%M"),
            },
            unit=unit,
        )
        if Lead.objects.filter(incident=request.incident).exclude(source=unit.name).exists():
            _record(
                unit,
                request.incident,
                RecordKind.MISSED,
                _(
                    "The office learned of the incident from another source and %(unit)s "
                    "did not report by the deadline."
                )
                % {"unit": unit},
            )
        ReportRequest.objects.filter(pk=request.pk).update(written_due_at=new_due)
    if step < len(ladder):
        role = ladder[step][1]
        recipients: list[Recipient] = resolve(role, unit)
        notify(
            to=recipients,
            event="urgent_chase",
            ladder="urgent",
            context={"matter": request.matter, "unit": unit.name, "step": step + 1},
            key=f"chase-{request.pk}-{step}",
        )
        timeline(
            request.incident,
            "chase",
            _("Chase step %(n)d: %(role)s of %(unit)s told (%(names)s).")
            % {
                "n": step + 1,
                "role": role,
                "unit": unit,
                "names": "、".join(r.name for r in recipients) or "—",
            },
            unit=unit,
        )
    next_step = step + 1
    next_at = None
    if next_step < len(ladder):
        next_at = now + dt.timedelta(minutes=ladder[next_step][0] - ladder[step][0])
    ReportRequest.objects.filter(pk=request.pk).update(chase_step=next_step, next_check_at=next_at)


def _scan_follow_ups(now: dt.datetime) -> int:
    """Follow-ups on their own clock: a unit past its next report time is reminded once."""
    done = 0
    overdue = Report.objects.filter(next_due_at__lte=now).exclude(stage=ReportStage.FINAL)
    for report in overdue.select_related("incident", "unit")[:200]:
        if not Report.objects.filter(pk=report.pk, next_due_at=report.next_due_at).update(
            next_due_at=None
        ):
            continue
        newer = Report.objects.filter(
            incident=report.incident, unit=report.unit, received_at__gt=report.received_at
        ).exists()
        if newer or report.incident.status != "open":
            continue
        notify(
            to=resolve("reporters", report.unit),
            event="follow_up_due",
            ladder="urgent",
            context={"title": report.incident.title, "unit": report.unit.name},
            key=f"follow-up-{report.pk}",
        )
        timeline(
            report.incident,
            "follow_up_due",
            _("Follow-up report due from %(unit)s.") % {"unit": report.unit},
            unit=report.unit,
        )
        done += 1
    return done
