"""The chase notice (重要紧急信息催报通知单) as DOCX and PDF."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from xinbao.incidents.conf import urgent_conf
from xinbao.incidents.models import ChaseNotice, ReportRequest
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


def next_number(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    prefix = f"{year}-"
    last = ChaseNotice.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    serial = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{serial:03d}"


def build(request: ReportRequest, number: str, new_due: dt.datetime) -> OfficialDocument:
    conf = urgent_conf()
    office = current_office()
    issuing_office = office.name or conf["office_name"]
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
                    ("联系方式", office.contact or conf["office_contact"]),
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


def issue_notice(request: ReportRequest, new_due: dt.datetime) -> ChaseNotice:
    """Make the notice's documents and store them; the caller sends them."""
    now = timezone.now()
    number = next_number(now)
    document = build(request, number, new_due)
    notice = ChaseNotice(
        request=request,
        number=number,
        original_due_at=request.written_due_at or request.phone_due_at or now,
        new_due_at=new_due,
    )
    notice.docx.save(f"chase/{number}.docx", ContentFile(render_docx(document)), save=False)
    notice.pdf.save(f"chase/{number}.pdf", ContentFile(render_pdf(document)), save=False)
    notice.save()
    return notice
