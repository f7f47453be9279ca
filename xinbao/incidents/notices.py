"""Notices (通报): commendation or criticism of units for their urgent-information records.

:func:`build_notice` turns records into an :class:`~xinbao.lib.officedoc.OfficialDocument`
(pure); :func:`make_notice` numbers it, stores its DOCX, links the records and audits it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.audit.services import record as audit
from xinbao.incidents.models import AccountabilityRecord, Notice, NoticeKind, RecordKind
from xinbao.incidents.numbering import next_number
from xinbao.incidents.services import CHINESE_NUMBERS, timeline
from xinbao.lib.classified import classified_marking, classified_message
from xinbao.lib.officedoc import (
    Distribution,
    Heading,
    OfficialDocument,
    Paragraph,
    Recipients,
    render_docx,
)
from xinbao.org.models import Unit
from xinbao.org.selectors import current_office

MASTHEAD = "紧急信息报送情况通报"
#: What each kind of record is called in a notice.
KIND_WORDS = {
    RecordKind.LATE: "迟报",
    RecordKind.MISSED: "漏报",
    RecordKind.CONCEALED: "瞒报",
    RecordKind.COMMENDED: "报送及时准确",
}
#: The records each kind of notice may carry.
KINDS_OF = {
    NoticeKind.COMMEND: frozenset({RecordKind.COMMENDED}),
    NoticeKind.CRITICISE: frozenset({RecordKind.LATE, RecordKind.MISSED, RecordKind.CONCEALED}),
}


class NoticeError(Exception):
    """A notice that cannot be made; the message is for the user."""


def issue_line(number: str) -> str:
    """ "通报〔2026〕3号" for the number "2026-003"."""
    year, serial = number.split("-")
    return f"通报〔{year}〕{int(serial)}号"


def _ordinal(n: int) -> str:
    return CHINESE_NUMBERS[n] if n <= 10 else str(n)


def _units_in_order(records: Sequence[AccountabilityRecord]) -> list[Unit]:
    units: dict[int, Unit] = {}
    for entry in records:
        units.setdefault(entry.unit_id, entry.unit)
    return list(units.values())


def _units_text(units: Sequence[Unit]) -> str:
    if len(units) <= 3:
        return "、".join(u.name for u in units)
    return f"{units[0].name}等{len(units)}个单位"


def notice_title(kind: str, records: Sequence[AccountabilityRecord]) -> str:
    units = _units_text(_units_in_order(records))
    if kind == NoticeKind.COMMEND:
        title = f"关于对{units}紧急信息报送工作予以通报表扬的通报"
    else:
        title = f"关于对{units}紧急信息{_kinds_text(records)}问题予以通报批评的通报"
    return title[:200]


def _kinds_text(records: Sequence[AccountabilityRecord]) -> str:
    present = {r.kind for r in records}
    return "、".join(KIND_WORDS[k] for k in RecordKind if k in present)


def default_subject(records: Sequence[AccountabilityRecord]) -> str:
    """The case's title when every record is about one incident, else the period covered."""
    incidents = {r.incident_id: r.incident for r in records}
    if len(incidents) == 1:
        return f"“{next(iter(incidents.values())).title}”处置过程中"
    days = sorted(timezone.localtime(r.at).date() for r in records)
    first, last = days[0], days[-1]
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.year}年{first.month}月"
    return f"{first.year}年{first.month}月至{last.year}年{last.month}月"


def build_notice(
    *,
    kind: str,
    records: Sequence[AccountabilityRecord],
    subject: str,
    number: str,
    date: dt.date,
) -> OfficialDocument:
    """The notice as an official document: one paragraph per unit and case, with the reason."""
    units = _units_in_order(records)
    commend = kind == NoticeKind.COMMEND
    if commend:
        intro = (
            f"为进一步做好紧急信息报送工作，现将{subject}紧急信息报送工作中"
            "报送及时、准确的单位予以通报表扬。"
        )
        section = "一、受表扬单位"
        closing = (
            "希望受到表扬的单位再接再厉，继续做好紧急信息报送工作。各地各部门要以受表扬单位"
            "为榜样，严格落实紧急信息报送制度，进一步提高紧急信息报送的时效性和准确性。"
        )
    else:
        intro = (
            f"为严肃紧急信息报送纪律，现将{subject}紧急信息报送中存在"
            f"{_kinds_text(records)}问题的单位予以通报批评。"
        )
        section = "一、被通报单位及有关情形"
        closing = (
            "被通报单位要认真查找原因，切实整改，并将整改情况书面报送我办。各地各部门要引以"
            "为戒，严格执行紧急信息报送制度，坚决杜绝迟报、漏报、瞒报问题。"
        )
    blocks: list[Heading | Paragraph] = [Paragraph(intro), Heading(section)]
    for n, unit in enumerate(units, 1):
        blocks.append(Heading(f"（{_ordinal(n)}）{unit.name}", level=2))
        for entry in (r for r in records if r.unit_id == unit.pk):
            when = timezone.localtime(entry.at)
            blocks.append(
                Paragraph(
                    f"在“{entry.incident.title}”信息报送中{KIND_WORDS[RecordKind(entry.kind)]}"
                    f"（{when.month}月{when.day}日记录）。{entry.reason}"
                )
            )
    blocks += [Heading("二、有关要求"), Paragraph(closing)]
    return OfficialDocument(
        masthead=MASTHEAD,
        issuing_office=current_office().name,
        issue_line=issue_line(number),
        date=date,
        title=notice_title(kind, records),
        blocks=tuple(blocks),
        distribution=Distribution(
            recipients=(Recipients("送", tuple(f"{u.name}主要领导" for u in units)),),
            printed_by=current_office().name,
            copies=len(units) + 2,
        ),
    )


@transaction.atomic
def make_notice(
    *,
    user: User,
    kind: str,
    records: Sequence[AccountabilityRecord],
    subject: str = "",
) -> Notice:
    """Make a notice of ``kind`` from records not yet in a notice; its DOCX is stored.

    Refuses an empty selection, records of the wrong kind for the notice, and records that an
    earlier notice already carries (checked again under the write, so two people cannot
    notify the same case twice).
    """
    if kind not in KINDS_OF:
        raise NoticeError(_("Choose commendation or criticism."))
    marking = classified_marking(subject)
    if marking:
        raise NoticeError(classified_message(marking))
    if not records:
        raise NoticeError(_("Choose at least one record."))
    wrong = [r for r in records if r.kind not in KINDS_OF[NoticeKind(kind)]]
    if wrong:
        raise NoticeError(
            _("These records do not belong in this kind of notice: %(records)s.")
            % {"records": "、".join(f"{r.unit.name}（{r.get_kind_display()}）" for r in wrong)}
        )
    taken = [r for r in records if r.notice_id is not None]
    if taken:
        raise NoticeError(
            _("Already in a notice: %(records)s.")
            % {"records": "、".join(f"{r.unit.name}（{r.incident.title}）" for r in taken)}
        )
    ids = [r.pk for r in records]
    if (
        AccountabilityRecord.objects.select_for_update(no_key=True)
        .filter(pk__in=ids, notice__isnull=False)
        .exists()
    ):
        raise NoticeError(_("Someone else put some of these records in a notice just now."))
    now = timezone.now()
    number = next_number(Notice, now)
    subject = subject.strip() or default_subject(records)
    document = build_notice(
        kind=kind, records=records, subject=subject, number=number, date=timezone.localdate()
    )
    notice = Notice(kind=kind, number=number, title=document.title, created_by=user)
    notice.docx.save(f"notices/{number}.docx", ContentFile(render_docx(document)), save=False)
    notice.save()
    linked = AccountabilityRecord.objects.filter(pk__in=ids, notice__isnull=True).update(
        notice=notice
    )
    if linked != len(set(ids)):
        raise NoticeError(_("Someone else put some of these records in a notice just now."))
    for incident in {r.incident_id: r.incident for r in records}.values():
        timeline(
            incident,
            "notice",
            _("Notice %(number)s: %(title)s")
            % {"number": issue_line(number), "title": notice.title},
        )
    audit(
        actor=user,
        action="incident.notice",
        obj=notice,
        summary={"kind": kind, "number": number, "records": ids, "subject": subject},
    )
    return notice
