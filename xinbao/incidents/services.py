"""Every write of urgent-information handling: keyword-only, atomic, audited, on the timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.calendar.workdays import add_minutes, add_workdays
from xinbao.incidents.conf import urgent_conf
from xinbao.incidents.models import (
    AccountabilityRecord,
    DeadlineRule,
    Incident,
    Lead,
    RecordKind,
    Report,
    ReportMode,
    ReportRequest,
    ReportStage,
    RequestStatus,
    TimelineEntry,
)
from xinbao.items.models import Item
from xinbao.lib.classified import refuse_classified
from xinbao.lib.facts import Facts, extract_facts
from xinbao.lib.levels import Level, suggest_level
from xinbao.notify import notify, resolve
from xinbao.org.models import Position, Unit


class IncidentError(Exception):
    """An illegal step; the message is for the user."""


def timeline(
    incident: Incident,
    kind: str,
    text: str,
    unit: Unit | None = None,
    at: dt.datetime | None = None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident, at=at or timezone.now(), kind=kind, text=text[:500], unit=unit
    )


# --- opening an incident ----------------------------------------------------------------


@dataclass
class LeadData:
    """What the duty officer writes down from a call."""

    received_at: dt.datetime
    source: str
    place: str
    what: str
    caller_name: str
    caller_phone: str
    occurred_at: dt.datetime | None = None
    casualties: str = ""
    measures: str = ""


def facts_of_lead(lead: LeadData) -> Facts:
    return extract_facts(
        "。".join(p for p in (lead.what, lead.casualties) if p), reference_time=lead.received_at
    )


def _count(value: Any) -> int | None:
    return value.value if value is not None else None


@transaction.atomic
def record_lead(
    *,
    user: User,
    lead: LeadData,
    title: str,
    category: str,
    sensitive: bool = False,
    crowd: int | None = None,
    level: int | None = None,
    units: Sequence[Unit] = (),
) -> Incident:
    """Open an incident from a duty-phone lead; its level is suggested from the facts said.

    Refuses (``ValidationError``, code ``classified``) a classified marking in anything written
    down: it would reach every chase notice and document drawn from the incident.
    """
    refuse_classified(title, lead.place, lead.what, lead.casualties, lead.measures)
    facts = facts_of_lead(lead)
    suggestion = suggest_level(
        deaths=_count(facts.deaths),
        serious_injuries=_count(facts.serious_injuries),
        direct_loss_yuan=facts.direct_loss_yuan,
        category=category,
        sensitive=sensitive,
        crowd=crowd,
    )
    chosen = Level(level) if level else suggestion.level
    incident = Incident.objects.create(
        title=title.strip(),
        category=category,
        level=chosen,
        suggested_level=suggestion.level,
        level_reasons=[str(r) for r in suggestion.reasons],
        sensitive=sensitive,
        crowd=crowd,
        occurred_at=lead.occurred_at or (facts.event_time.value if facts.event_time else None),
        place=lead.place,
        summary=lead.what,
        deaths=_count(facts.deaths),
        serious_injuries=_count(facts.serious_injuries),
        injuries=_count(facts.injuries),
        missing=_count(facts.missing),
        direct_loss_yuan=facts.direct_loss_yuan,
        # Especially serious and serious incidents take the direct route (首接直报).
        direct_route=chosen <= Level.II,
        created_by=user,
    )
    incident.units.set(units)
    Lead.objects.create(
        incident=incident,
        received_at=lead.received_at,
        source=lead.source,
        occurred_at=lead.occurred_at,
        place=lead.place,
        what=lead.what,
        casualties=lead.casualties,
        measures=lead.measures,
        caller_name=lead.caller_name,
        caller_phone=lead.caller_phone,
        recorded_by=user,
    )
    timeline(
        incident,
        "lead",
        _("Duty phone: %(source)s reported it; recorded by %(who)s.")
        % {"source": lead.source, "who": user},
        at=lead.received_at,
    )
    note = _("%(level)s (suggested: %(suggested)s).") % {
        "level": Level(chosen).label,
        "suggested": suggestion.label,
    }
    timeline(incident, "level", note)
    if incident.direct_route:
        _direct_route(incident)
    record(
        actor=user,
        action="incident.open",
        obj=incident,
        summary={
            "title": incident.title,
            "level": int(chosen),
            "suggested": int(suggestion.level),
            "source": lead.source,
        },
    )
    return incident


def _direct_route(incident: Incident) -> None:
    """Major emergency information goes straight to the principal leader (首接直报)."""
    notify(
        to=resolve(roles=[Role.PRINCIPAL_LEADER]),
        event="incident_direct",
        ladder="urgent",
        context={
            "title": incident.title,
            "level": str(Level(incident.level).label),
            "place": incident.place,
            "summary": incident.summary[:300],
        },
        link=f"/incidents/{incident.pk}/",
        key=f"incident-direct-{incident.pk}",
    )
    timeline(incident, "direct_route", _("Direct route: sent straight to the principal leader."))


# --- demanding reports ------------------------------------------------------------------


def deadline_minutes(level: int, mode: str) -> int | None:
    rule = DeadlineRule.objects.filter(level=level, mode=mode).first()
    return rule.minutes if rule is not None else None


#: The table's minutes from which a deadline is a routine one, counted in working days.
MINUTES_PER_WORKDAY = 24 * 60


def deadline_after(start: dt.datetime, minutes: int) -> dt.datetime:
    """The deadline ``minutes`` after ``start`` as the deadline table means it.

    Under a day it is an emergency clock: minutes around the clock, nights and holidays
    included. A day or more (the ordinary incident's "in writing within 24 hours") is a routine,
    non-emergency demand: whole working days (rounded up) by the office's working calendar, due
    at close of business ("1个工作日内"), so a demand sent on a Friday evening or before a
    holiday is not due on the day off.
    """
    if minutes < MINUTES_PER_WORKDAY:
        return add_minutes(start, minutes)
    return add_workdays(start, -(-minutes // MINUTES_PER_WORKDAY))


def _deadline_text(deadline: dt.datetime, now: dt.datetime) -> str:
    """The deadline as a message says it: the time today, else the date and time."""
    local = timezone.localtime(deadline)
    same_day = local.date() == timezone.localtime(now).date()
    return local.strftime("%H:%M" if same_day else "%m-%d %H:%M")


def _first_check(request: ReportRequest) -> dt.datetime | None:
    """The scanner's next visit (:meth:`ReportRequest.first_check`) with the office's lead time."""
    return request.first_check(dt.timedelta(minutes=urgent_conf()["remind_before_minutes"]))


@transaction.atomic
def demand_reports(
    *, user: User, incident: Incident, units: Iterable[Unit], matter: str = ""
) -> list[ReportRequest]:
    """Demand reports (催报) from units, at once on the urgent ladder, each with deadlines.

    Emergencies count minutes around the clock; deadlines of a day or more count working
    days (:func:`deadline_after`).
    """
    now = timezone.now()
    phone = deadline_minutes(incident.level, ReportMode.PHONE)
    written = deadline_minutes(incident.level, ReportMode.WRITTEN)
    matter = matter.strip() or incident.title
    refuse_classified(matter, field="matter")
    made = []
    for unit in units:
        request, created = ReportRequest.objects.get_or_create(
            incident=incident,
            unit=unit,
            defaults={
                "matter": matter,
                "sent_at": now,
                "created_by": user,
                "phone_due_at": deadline_after(now, phone) if phone else None,
                "written_due_at": deadline_after(now, written) if written else None,
            },
        )
        if not created:
            made.append(request)
            continue
        request.next_check_at = _first_check(request)
        request.save(update_fields=["next_check_at"])
        incident.units.add(unit)
        deadline = request.phone_due_at or request.written_due_at
        notify(
            to=resolve(units=[unit], positions=[Position.REPORTER, Position.DEPUTY_IN_CHARGE]),
            event="urgent_demand",
            ladder="urgent",
            link=f"/incidents/requests/{request.pk}/",
            context={
                "matter": matter,
                "unit": unit.name,
                "deadline": _deadline_text(deadline, now) if deadline else _("as soon as possible"),
            },
            key=f"request-{request.pk}",
        )
        timeline(
            incident, "demand", _("Reports demanded from %(unit)s.") % {"unit": unit}, unit=unit
        )
        record(
            actor=user,
            action="incident.demand",
            obj=request,
            summary={
                "unit": unit.name,
                "phone_due": str(request.phone_due_at),
                "written_due": str(request.written_due_at),
            },
        )
        made.append(request)
    return made


@transaction.atomic
def confirm_receipt(*, request: ReportRequest, by: str, user: User | None = None) -> ReportRequest:
    """The unit confirms it received the demand (签收): a step separate from reporting."""
    request = ReportRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    if request.received_at is not None:
        return request
    request.received_at = timezone.now()
    request.received_by = by[:100]
    if request.status == RequestStatus.SENT:
        request.status = RequestStatus.RECEIVED
    request.save(update_fields=["received_at", "received_by", "status"])
    timeline(
        request.incident,
        "receipt",
        _("%(unit)s confirmed receipt (%(by)s).") % {"unit": request.unit, "by": by},
        unit=request.unit,
    )
    record(actor=user, actor_name=by, action="incident.receipt", obj=request)
    return request


@transaction.atomic
def record_phone_report(*, user: User, request: ReportRequest, note: str) -> ReportRequest:
    """The duty officer notes a unit's phone report."""
    refuse_classified(note, field="note")
    request = ReportRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    now = timezone.now()
    request.phoned_at = now
    request.next_check_at = _first_check(request)
    request.save(update_fields=["phoned_at", "next_check_at"])
    late = request.phone_due_at is not None and now > request.phone_due_at
    timeline(
        request.incident,
        "phone_report",
        (
            _("%(unit)s reported by phone (late): %(note)s")
            if late
            else _("%(unit)s reported by phone: %(note)s")
        )
        % {"unit": request.unit, "note": note},
        unit=request.unit,
    )
    if late:
        record_accountability(
            unit=request.unit,
            incident=request.incident,
            kind=RecordKind.LATE,
            reason=_("Phone report %(minutes)d minutes after the deadline.")
            % {"minutes": _minutes_late(now, request.phone_due_at)},
        )
    record(actor=user, action="incident.phone_report", obj=request, summary={"late": late})
    return request


def _minutes_late(now: dt.datetime, due: dt.datetime | None) -> int:
    return int((now - due).total_seconds() // 60) if due else 0


def record_accountability(
    *, unit: Unit, incident: Incident, kind: str, reason: str, user: User | None = None
) -> AccountabilityRecord:
    """Record a case of ``unit`` on ``incident`` once (a second call returns the first), with
    its timeline entry and audit event; ``user`` ``None`` is the system. Runs inside the
    caller's transaction."""
    refuse_classified(reason, field="reason")
    found = AccountabilityRecord.objects.filter(unit=unit, incident=incident, kind=kind).first()
    if found is not None:
        return found
    entry = AccountabilityRecord.objects.create(
        unit=unit,
        incident=incident,
        kind=kind,
        reason=reason,
        at=timezone.now(),
        created_by=user,
    )
    timeline(
        incident,
        f"record_{kind}",
        _("Recorded for %(unit)s: %(kind)s. %(reason)s")
        % {"unit": unit, "kind": entry.get_kind_display(), "reason": reason},
        unit=unit,
    )
    record(
        actor=user,
        actor_name="" if user else "system",
        action="incident.record",
        obj=entry,
        summary={"unit": unit.name, "kind": kind},
    )
    return entry


# --- reports ----------------------------------------------------------------------------

#: The elements a first report on an emergency must state.
ELEMENTS = ("time", "place", "what", "casualties", "measures")
_MEASURE_WORDS = (
    "组织",
    "救援",
    "抢救",
    "处置",
    "转移",
    "疏散",
    "赶赴",
    "启动",
    "封控",
    "调查",
    "救治",
    "排查",
    "部署",
)
_WHAT_MIN_CHARS = 15


def _original_written_due(request: ReportRequest | None) -> dt.datetime | None:
    return request.original_written_due() if request is not None else None


def missing_elements(text: str, facts: Facts) -> list[str]:
    """Which of the required elements the text does not state."""
    missing = []
    if facts.event_time is None:
        missing.append("time")
    if facts.place is None:
        missing.append("place")
    if len(text.strip()) < _WHAT_MIN_CHARS:
        missing.append("what")
    casualties = (facts.deaths, facts.injuries, facts.missing, facts.trapped, facts.poisoned)
    if all(count is None for count in casualties):
        missing.append("casualties")
    if not any(word in text for word in _MEASURE_WORDS):
        missing.append("measures")
    return missing


def facts_summary(facts: Facts) -> dict[str, Any]:
    return {
        "deaths": _count(facts.deaths),
        "injuries": _count(facts.injuries),
        "serious_injuries": _count(facts.serious_injuries),
        "missing": _count(facts.missing),
        "trapped": _count(facts.trapped),
        "poisoned": _count(facts.poisoned),
        "evacuated": _count(facts.evacuated),
        "relocated": _count(facts.relocated),
        "affected": _count(facts.affected),
        "loss_yuan": str(facts.direct_loss_yuan) if facts.direct_loss_yuan is not None else None,
        "time": facts.event_time.value.isoformat() if facts.event_time else None,
        "place": facts.place.text if facts.place else None,
        # The place without "附近", "境内"…: what two reports of one place compare on.
        "place_normalised": facts.place.normalised if facts.place else None,
        "evidence": [
            {"kind": m.kind, "value": m.count.value, "text": m.count.span.text}
            for m in facts.mentions
        ][:20],
    }


@transaction.atomic
def file_report(*, user: User, incident: Incident, item: Item, stage: str = "") -> Report:
    """Link a unit's item to the incident as its first, next follow-up or final report.

    Facts are extracted; a first report's missing elements are listed and tracked until a
    follow-up supplies them; a report after the written deadline is recorded as late. Lateness
    counts from when the unit submitted the item, not from when it is filed here: the office
    often files a unit's report on its behalf, and its own delay is not the unit's.
    """
    if incident.status != "open":
        raise IncidentError(_("The incident is closed."))
    unit = item.unit
    earlier = list(Report.objects.filter(incident=incident, unit=unit).order_by("received_at"))
    if not stage:
        stage = ReportStage.FIRST if not earlier else ReportStage.FOLLOW_UP
    if stage == ReportStage.FIRST and earlier:
        raise IncidentError(_("%(unit)s has already sent its first report.") % {"unit": unit})
    if stage != ReportStage.FIRST and not earlier:
        raise IncidentError(_("A first report must come before follow-ups."))
    if any(r.stage == ReportStage.FINAL for r in earlier):
        raise IncidentError(_("%(unit)s has already sent its final report.") % {"unit": unit})
    now = timezone.now()
    # Relative dates ("昨日", "今晨") are read against when the unit sent the report.
    facts = extract_facts(f"{item.title}。{item.body}", reference_time=item.submitted_at or now)
    still_missing = missing_elements(item.body, facts)
    if earlier:
        # A follow-up supplies what earlier reports lacked: only what is still missing stays.
        still_missing = [e for e in earlier[-1].missing if e in still_missing]
    number = sum(1 for r in earlier if r.stage == ReportStage.FOLLOW_UP) + (
        1 if stage == ReportStage.FOLLOW_UP else 0
    )
    request = ReportRequest.objects.filter(incident=incident, unit=unit).first()
    original_due = _original_written_due(request)
    submitted = min(item.submitted_at or now, now)
    late = bool(stage == ReportStage.FIRST and original_due and submitted > original_due)
    report = Report.objects.create(
        incident=incident,
        item=item,
        unit=unit,
        stage=stage,
        number=number if stage == ReportStage.FOLLOW_UP else 0,
        received_at=now,
        facts=facts_summary(facts),
        missing=still_missing,
        late=late,
        next_due_at=(now + dt.timedelta(hours=incident.follow_up_hours))
        if incident.follow_up_hours and stage != ReportStage.FINAL
        else None,
    )
    if request is not None and stage == ReportStage.FIRST:
        request.reported_at = submitted
        request.status = RequestStatus.REPORTED
        request.next_check_at = None
        request.save(update_fields=["reported_at", "status", "next_check_at"])
    label = report_label(report)
    timeline(
        incident,
        f"report_{stage}",
        _("%(unit)s: %(label)s “%(title)s”.") % {"unit": unit, "label": label, "title": item.title},
        unit=unit,
    )
    if still_missing:
        timeline(
            incident,
            "missing",
            _("Still missing from %(unit)s: %(elements)s.")
            % {"unit": unit, "elements": "、".join(element_labels(still_missing))},
            unit=unit,
        )
    if late and request is not None:
        record_accountability(
            unit=unit,
            incident=incident,
            kind=RecordKind.LATE,
            reason=_("Written report %(minutes)d minutes after the deadline.")
            % {"minutes": _minutes_late(submitted, original_due)},
        )
    _update_incident_facts(incident, facts)
    record(
        actor=user,
        action="incident.report",
        obj=report,
        summary={"unit": unit.name, "stage": stage, "number": report.number, "late": late},
    )
    from xinbao.incidents.verification import check_disagreements

    check_disagreements(incident=incident, report=report)
    return report


ELEMENT_LABELS = {
    "time": "时间",
    "place": "地点",
    "what": "事件经过",
    "casualties": "伤亡情况",
    "measures": "处置措施",
}


def element_labels(elements: Iterable[str]) -> list[str]:
    return [ELEMENT_LABELS.get(e, e) for e in elements]


CHINESE_NUMBERS = "零一二三四五六七八九十"


def report_label(report: Report) -> str:
    if report.stage == ReportStage.FIRST:
        return "首报"
    if report.stage == ReportStage.FINAL:
        return "终报"
    n = report.number
    numeral = CHINESE_NUMBERS[n] if n <= 10 else str(n)
    return f"续报{numeral}"


def _update_incident_facts(incident: Incident, facts: Facts) -> None:
    """The incident shows the latest stated figures (a later report corrects an earlier one)."""
    changed = []
    for field, value in (
        ("deaths", _count(facts.deaths)),
        ("injuries", _count(facts.injuries)),
        ("serious_injuries", _count(facts.serious_injuries)),
        ("missing", _count(facts.missing)),
        ("direct_loss_yuan", facts.direct_loss_yuan),
    ):
        if value is not None and getattr(incident, field) != value:
            setattr(incident, field, value)
            changed.append(field)
    if changed:
        incident.save(update_fields=changed)
        suggestion = suggest_level(
            deaths=incident.deaths,
            serious_injuries=incident.serious_injuries,
            direct_loss_yuan=incident.direct_loss_yuan,
            category=incident.category,
            sensitive=incident.sensitive,
            crowd=incident.crowd,
        )
        if suggestion.level < incident.suggested_level:
            Incident.objects.filter(pk=incident.pk).update(suggested_level=suggestion.level)
            incident.suggested_level = suggestion.level
            timeline(
                incident,
                "level",
                _("The new figures suggest %(level)s.") % {"level": suggestion.label},
            )


@transaction.atomic
def close_incident(*, user: User, incident: Incident) -> Incident:
    """Close after the final reports; units that were timely and accurate are commended."""
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    if incident.status != "open":
        raise IncidentError(_("The incident is already closed."))
    incident.status = "closed"
    incident.closed_at = timezone.now()
    incident.save(update_fields=["status", "closed_at"])
    flagged = set(
        AccountabilityRecord.objects.filter(incident=incident)
        .exclude(kind=RecordKind.COMMENDED)
        .values_list("unit_id", flat=True)
    )
    for request in incident.requests.select_related("unit"):
        if request.reported_at is not None and request.unit_id not in flagged:
            record_accountability(
                unit=request.unit,
                incident=incident,
                kind=RecordKind.COMMENDED,
                reason=_("Reported on time; the facts held up."),
                user=user,
            )
    timeline(incident, "closed", _("Incident closed by %(who)s.") % {"who": user})
    record(actor=user, action="incident.close", obj=incident)
    return incident


@transaction.atomic
def set_follow_up_hours(*, user: User, incident: Incident, hours: int | None) -> Incident:
    """Set how often follow-up reports are due; ``None``: when there is news.

    Applies to reports filed from now on; reports already filed keep their clocks.
    """
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    if incident.follow_up_hours == hours:
        return incident
    incident.follow_up_hours = hours
    incident.save(update_fields=["follow_up_hours"])
    timeline(
        incident,
        "follow_up_hours",
        _("Follow-up reports every %(hours)d hours.") % {"hours": hours}
        if hours
        else _("Follow-up reports when there is news."),
    )
    record(actor=user, action="incident.follow_up_hours", obj=incident, summary={"hours": hours})
    return incident
