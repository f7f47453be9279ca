"""The chase notice (重要紧急信息催报通知单) as DOCX and PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xinbao.incidents.models import ChaseNotice, ReportRequest
from xinbao.incidents.numbering import next_number
from xinbao.lib.officedoc import (
    Distribution,
    OfficialDocument,
    Paragraph,
    Recipients,
    Table,
    Urgency,
    render_docx,
    render_pdf,
)
from xinbao.org.selectors import current_office


def _clock(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{local.month}月{local.day}日{local.hour:02d}:{local.minute:02d}"


def build(request: ReportRequest, number: str, new_due: dt.datetime) -> OfficialDocument:
    office = current_office()
    issuing_office = office.name
    unit = request.unit
    original = request.written_due_at or request.phone_due_at
    return OfficialDocument(
        masthead="重要紧急信息催报通知单",
        issuing_office=issuing_office,
        issue_line=f"催报〔{number.split('-')[0]}〕{int(number.split('-')[1])}号",
        date=timezone.localdate(),
        urgency=Urgency.EXTRA_URGENT,
        title=f"关于催报“{request.matter}”有关情况的通知",
        blocks=(
            Paragraph(f"{unit.name}："),
            Paragraph(
                f"我办于{_clock(request.sent_at)}要求你单位报送“{request.matter}”有关情况，"
                f"报送时限为{_clock(original)}，截至目前尚未收到你单位报送的信息。"
                f"请你单位高度重视，立即核实有关情况，于{_clock(new_due)}前报送我办。"
                "逾期未报的，将按照紧急信息报送有关规定予以通报。"
            ),
            Table(
                rows=(
                    ("通知单编号", number),
                    ("报送单位", unit.name),
                    ("催报事项", request.matter),
                    ("原定报送时限", _clock(original)),
                    ("新的报送时限", _clock(new_due)),
                    ("联系方式", office.contact),
                ),
                header_rows=0,
            ),
        ),
        distribution=Distribution(
            recipients=(Recipients("送", (f"{unit.name}主要领导",)),),
            printed_by=issuing_office,
            copies=2,
        ),
    )


@dataclass(frozen=True)
class Drawn:
    """A chase notice drawn for one number and deadline, not yet stored."""

    number: str
    new_due: dt.datetime
    docx: bytes
    pdf: bytes


def draw(request: ReportRequest, number: str, new_due: dt.datetime) -> Drawn:
    """Render the notice's DOCX and PDF (slow: best outside a database transaction)."""
    document = build(request, number, new_due)
    return Drawn(number, new_due, render_docx(document), render_pdf(document))


def store(request: ReportRequest, drawn: Drawn, now: dt.datetime) -> ChaseNotice:
    """Store a drawn notice under its number; inside the transaction that took the number."""
    notice = ChaseNotice(
        request=request,
        number=drawn.number,
        original_due_at=request.written_due_at or request.phone_due_at or now,
        new_due_at=drawn.new_due,
    )
    notice.docx.save(f"chase/{drawn.number}.docx", ContentFile(drawn.docx), save=False)
    notice.pdf.save(f"chase/{drawn.number}.pdf", ContentFile(drawn.pdf), save=False)
    notice.save()
    return notice


@transaction.atomic
def issue_notice(request: ReportRequest, new_due: dt.datetime) -> ChaseNotice:
    """Number, draw and store a notice at once; the caller sends it.

    The chase itself (:func:`xinbao.incidents.chasing.chase_step`) draws before its
    transaction instead; this is for making a notice by hand.
    """
    now = timezone.now()
    return store(request, draw(request, next_number(ChaseNotice, now), new_due), now)
