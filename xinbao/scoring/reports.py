"""The quarterly score report (积分通报), reminder letters (提醒信) and silence SMS.

The scanner makes the report once a quarter has ended (``chores.py``); the section chief
checks it and it goes to the head of every county and municipal department, as the roster
names them on the day it is sent. Reminders are rows (:class:`Reminder`) whose unique key
makes each one go out once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.calendar.workdays import add_workdays
from xinbao.lib.officedoc import (
    Distribution,
    Heading,
    OfficialDocument,
    Paragraph,
    Recipients,
    Table,
    render_docx,
    render_pdf,
)
from xinbao.notify import Channel, notify, queue, resolve
from xinbao.org.models import Position, Unit, UnitClass, UnitKind
from xinbao.org.selectors import current_office
from xinbao.scoring.delivery import DocumentKind, send_document
from xinbao.scoring.letters import build_letter
from xinbao.scoring.models import Reminder, ReminderKind, ReportState, ScoreReport
from xinbao.scoring.statistics import UnitStats, add_months, period_bounds, ranking, unit_statistics

MASTHEAD = "信息工作积分通报"
#: The units whose heads receive the report.
REPORT_KINDS = (UnitKind.COUNTY, UnitKind.MUNICIPAL_DEPARTMENT)
#: Who in a unit receives the report and the reminder letter.
ADDRESSEES = (Position.HEAD, Position.DEPUTY_IN_CHARGE)
QUARTER_NAMES = ("一", "二", "三", "四")
#: How far back a silence streak is followed to find its first month.
STREAK_LOOKBACK_MONTHS = 12

DEFAULTS: dict[str, Any] = {
    "report_check": True,
    "reminder_day": 20,
    # The report is due this many working days after its quarter ends.
    "report_due_workdays": 5,
    # Days a signed link to a report or letter (sent by SMS and email) stays open.
    "link_days": 30,
}


class ReportStateError(ValueError):
    """The report is not in a state that allows this step."""


def scoring_conf() -> dict[str, Any]:
    """``settings.XINBAO_SCORING`` over the defaults."""
    return {**DEFAULTS, **getattr(settings, "XINBAO_SCORING", {})}


def quarter_label(start: dt.date) -> str:
    """ "2026年第一季度"."""
    return f"{start.year}年第{QUARTER_NAMES[(start.month - 1) // 3]}季度"


def report_due(quarter_end: dt.date) -> dt.date:
    """The day the report of the quarter ending before ``quarter_end`` is due: the
    configured number of working days after the quarter's last day."""
    last_day = quarter_end - dt.timedelta(days=1)
    noon = timezone.make_aware(dt.datetime.combine(last_day, dt.time(12)))
    return timezone.localdate(add_workdays(noon, int(scoring_conf()["report_due_workdays"])))


def report_units() -> list[Unit]:
    return list(Unit.objects.filter(is_active=True, kind__in=REPORT_KINDS).order_by("kind", "code"))


def _row(s: UnitStats) -> list[str]:
    return [
        str(s.rank),
        s.unit.name,
        str(s.submitted),
        str(s.adopted),
        str(s.instructions),
        f"{s.points:.2f}",
    ]


def build_report(start: dt.date, end: dt.date, *, day: dt.date | None = None) -> OfficialDocument:
    """The report of the quarter ``[start, end)``: one ranking table per unit class."""
    issuing_office = current_office().name
    label = quarter_label(start)
    blocks: list[Heading | Paragraph | Table] = [
        Paragraph(
            f"现将{label}（{start.month}月1日至{(end - dt.timedelta(days=1)).month}月"
            f"{(end - dt.timedelta(days=1)).day}日）各单位信息工作积分情况通报如下。"
        )
    ]
    header = ["名次", "单位", "报送", "采用", "批示", "积分"]
    for unit_class in UnitClass.objects.order_by("rank", "name"):
        rows = ranking(start, end, unit_class)
        if not rows:
            continue
        blocks.append(Heading(f"{unit_class.name}单位"))
        blocks.append(Table(rows=[header, *(_row(r) for r in rows)]))
    heads = [f"{u.name}主要负责同志" for u in report_units()]
    return OfficialDocument(
        masthead=MASTHEAD,
        issuing_office=issuing_office,
        date=day or timezone.localdate(),
        issue_line=label,
        title=f"关于{label}信息工作积分情况的通报",
        blocks=blocks,
        distribution=Distribution(
            recipients=(Recipients("送", heads or ("各县（区）、市直各单位主要负责同志",)),),
            printed_by=issuing_office,
        ),
    )


def make_report(start: dt.date) -> ScoreReport | None:
    """Make the report of the quarter beginning ``start``, once; None when it exists.

    Without the chief's check (``report_check`` False) it is sent at once.
    """
    start, end = period_bounds("quarter", start)
    if ScoreReport.objects.filter(quarter_start=start).exists():
        return None
    document = build_report(start, end)
    try:
        with transaction.atomic():
            report = ScoreReport(quarter_start=start, quarter_end=end)
            name = f"scoring/{start:%Y}Q{(start.month - 1) // 3 + 1}"
            report.docx.save(f"{name}.docx", ContentFile(render_docx(document)), save=False)
            report.pdf.save(f"{name}.pdf", ContentFile(render_pdf(document)), save=False)
            report.save()
            record(
                actor=None,
                actor_name="scanner",
                action="scoring.report_made",
                obj=report,
                summary={"quarter": str(start)},
            )
            if not scoring_conf()["report_check"]:
                _send(report, actor=None)
            else:
                # The section chief is told the draft waits for the check, and by when.
                notify(
                    to=resolve(roles=[Role.SECTION_CHIEF]),
                    event="scoring_report_draft",
                    context={
                        "quarter": quarter_label(start),
                        "due": str(report_due(end)),
                    },
                    link=reverse("scoring:report", args=[report.pk]),
                    key=f"score-report-draft-{report.pk}",
                )
    except IntegrityError:
        # Another scanner made it between the check and the insert.
        return None
    return report


def _send(report: ScoreReport, *, actor: User | None) -> int:
    """To the head and the deputy in charge of every reported unit, by every channel the
    roster gives them (delivery.send_document); returns the number of people told."""
    now = timezone.now()
    label = quarter_label(report.quarter_start)
    told = 0
    channels: dict[str, int] = {}
    for unit in report_units():
        people = resolve(units=[unit], positions=ADDRESSEES)
        counts = send_document(
            to=people,
            event="scoring_report",
            context={"quarter": label, "unit": unit.name},
            kind=DocumentKind.REPORT,
            pk=report.pk,
            pdf=report.pdf.name or "",
            key=f"score-report-{report.pk}",
        )
        told += len(people)
        for channel, n in counts.items():
            channels[channel] = channels.get(channel, 0) + n
    report.state = ReportState.SENT
    report.sent_at = now
    report.save(update_fields=["state", "sent_at"])
    record(
        actor=actor,
        actor_name="" if actor else "scanner",
        action="scoring.report_sent",
        obj=report,
        summary={"quarter": str(report.quarter_start), "recipients": told, "channels": channels},
    )
    return told


@transaction.atomic
def check_and_send(*, report: ScoreReport, actor: User) -> int:
    """The section chief's check: the draft is marked checked and sent; returns how many
    heads were told. Refuses a report already sent."""
    # Claimed by a conditional UPDATE, so a double click sends once.
    claimed = ScoreReport.objects.filter(pk=report.pk, state=ReportState.DRAFT).update(
        state=ReportState.CHECKED, checked_by=actor, checked_at=timezone.now()
    )
    if not claimed:
        raise ReportStateError(_("This report has already been checked and sent."))
    report.refresh_from_db()
    record(
        actor=actor,
        action="scoring.report_checked",
        obj=report,
        summary={"quarter": str(report.quarter_start)},
    )
    return _send(report, actor=actor)


def _claim(unit: Unit, kind: str, period: dt.date, reason: str) -> Reminder | None:
    """Record the reminder; None when it was already sent."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                unit=unit, kind=kind, period=period, reason=reason, sent_at=timezone.now()
            )
    except IntegrityError:
        return None


def send_letters(today: dt.date) -> int:
    """Reminder letters to units behind their monthly quota, from the configured day on.

    Once per unit per month; returns the number of letters. The letter (letters.py) is
    stored on the Reminder as DOCX and PDF and goes to the head and the deputy in charge:
    in-app, by fax and email with the PDF, by SMS with a signed link to it.
    """
    if today.day < scoring_conf()["reminder_day"]:
        return 0
    start, end = period_bounds("month", today)
    sent = 0
    for s in unit_statistics(start, end):
        unit_class = s.unit.unit_class
        if unit_class is None or s.submitted >= unit_class.quota_per_month:
            continue
        if Reminder.objects.filter(unit=s.unit, kind=ReminderKind.LETTER, period=start).exists():
            continue
        # Rendered before the transaction: WeasyPrint takes a while, the lock need not wait.
        letter = build_letter(s.unit, start, day=today)
        docx, pdf = render_docx(letter), render_pdf(letter)
        with transaction.atomic():
            reminder = _claim(
                s.unit, ReminderKind.LETTER, start, f"{s.submitted}/{unit_class.quota_per_month}"
            )
            if reminder is None:
                continue
            name = f"scoring/letters/{start:%Y-%m}-{s.unit.code}"
            reminder.docx.save(f"{name}.docx", ContentFile(docx), save=False)
            reminder.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
            reminder.save(update_fields=["docx", "pdf"])
            send_document(
                to=resolve(units=[s.unit], positions=ADDRESSEES),
                event="scoring_reminder",
                context={
                    "unit": s.unit.name,
                    "month": f"{start.year}年{start.month}月",
                    "submitted": s.submitted,
                    "quota": unit_class.quota_per_month,
                },
                kind=DocumentKind.LETTER,
                pk=reminder.pk,
                pdf=reminder.pdf.name or "",
                key=f"score-letter-{s.unit.pk}-{start}",
                fax=True,
            )
        sent += 1
    return sent


def _silent_months(month: dt.date) -> dict[int, tuple[set[str], ...]]:
    """Per unit, the reasons it was silent ("submitted", "adopted") in each month back
    from ``month`` (newest first), followed only while some unit's streak goes on, and at
    most ``STREAK_LOOKBACK_MONTHS``: two months cost 12 queries in the usual case."""
    history: dict[int, list[set[str]]] = {}
    for back in range(STREAK_LOOKBACK_MONTHS):
        first = add_months(month, -back)
        for s in unit_statistics(first, add_months(first, 1)):
            reasons = set()
            if s.submitted == 0:
                reasons.add("submitted")
            if s.adopted == 0:
                reasons.add("adopted")
            months = history.setdefault(s.unit.pk, [])
            if len(months) == back and (back == 0 or months[-1] & reasons):
                months.append(reasons)
        going = [pk for pk, months in history.items() if len(months) == back + 1 and months[-1]]
        if not going:
            break
    return {pk: tuple(months) for pk, months in history.items()}


def streak_start(month: dt.date, history: tuple[set[str], ...]) -> dt.date | None:
    """The first month of the silence streak ending with ``month``, when it has lasted two
    months or more; ``history`` is newest first. Of the two kinds of silence the longer
    streak counts, so a unit is told once while either lasts."""
    best = 0
    for reason in ("submitted", "adopted"):
        length = 0
        for reasons in history:
            if reason not in reasons:
                break
            length += 1
        best = max(best, length)
    if best < 2:
        return None
    return add_months(month, 1 - best)


def send_silence_sms(today: dt.date) -> int:
    """After a month ends: an SMS to the head of each unit two months or more silent, once
    per streak (the Reminder is keyed by the streak's first month)."""
    last_month = add_months(today, -1)
    sent = 0
    units = {u.pk: u for u in Unit.objects.filter(is_active=True)}
    for pk, history in _silent_months(last_month).items():
        first = streak_start(last_month, history)
        if first is None:
            continue
        unit = units[pk]
        told = Reminder.objects.filter(unit=unit, kind=ReminderKind.SMS)
        # A streak as long as the look-back has an unknown start, which moves on each
        # month; any earlier SMS is taken to be this streak's.
        capped = first == add_months(last_month, 1 - STREAK_LOOKBACK_MONTHS)
        if told.filter(period__gte=first).exists() or (capped and told.exists()):
            continue
        what = sorted(r for r in ("submitted", "adopted") if r in history[0] and r in history[1])
        with transaction.atomic():
            if not _claim(unit, ReminderKind.SMS, first, ",".join(what)):
                continue
            for head in resolve(units=[unit], positions=[Position.HEAD]):
                queue(
                    channel=Channel.SMS,
                    to=head,
                    event="scoring_silence",
                    context={
                        "unit": unit.name,
                        "since": f"{first.year}年{first.month}月",
                        "nothing_submitted": "submitted" in what,
                    },
                    dedupe_key=f"score-silence-{unit.pk}-{first}-{head.name}",
                )
        sent += 1
    return sent
