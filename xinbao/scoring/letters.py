"""The reminder letter (提醒信): a printable letter to a unit's head in the office's layout.

``build_letter(unit, month)`` makes the document; ``send_letters`` (reports.py) stores its
DOCX and PDF on the unit's ``Reminder`` and sends it by fax, email and SMS.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.lib.officedoc import (
    Distribution,
    OfficialDocument,
    Paragraph,
    Recipients,
    Table,
)
from xinbao.org.models import Position, Unit
from xinbao.org.selectors import current_office
from xinbao.scoring.statistics import period_bounds, unit_statistics

MASTHEAD = "信息工作提醒信"


def _names(unit: Unit, position: Position, day: dt.date) -> list[str]:
    return [p.name for p in unit.holders(position, day)]


def build_letter(unit: Unit, month: dt.date, *, day: dt.date | None = None) -> OfficialDocument:
    """The letter to ``unit``'s head about the month containing ``month``: what the unit
    submitted and had adopted so far against its class's monthly quota, from the office,
    dated ``day`` (today)."""
    profile = current_office()
    office = profile.name
    day = day or timezone.localdate()
    start, end = period_bounds("month", month)
    stats = next(
        (s for s in unit_statistics(start, end) if s.unit.pk == unit.pk),
        None,
    )
    submitted = stats.submitted if stats else 0
    adopted = stats.adopted if stats else 0
    quota = unit.unit_class.quota_per_month if unit.unit_class else 0
    missing = max(quota - submitted, 0)
    label = f"{start.year}年{start.month}月"
    heads = _names(unit, Position.HEAD, day)
    deputies = _names(unit, Position.DEPUTY_IN_CHARGE, day)
    salutation = f"{'、'.join(heads)}同志：" if heads else f"{unit.name}主要负责同志："
    class_name = unit.unit_class.name if unit.unit_class else ""
    blocks: list[Paragraph | Table] = [
        Paragraph(salutation),
        Paragraph(
            f"按照信息工作考核办法，{class_name}单位每月应报送信息{quota}条。截至"
            f"{day.month}月{day.day}日，{unit.name}{label}已报送信息{submitted}条，"
            f"被采用{adopted}条，尚差{missing}条。"
        ),
        Table(
            rows=[
                ["单位", "本月任务", "已报送", "已采用", "尚差"],
                [unit.name, str(quota), str(submitted), str(adopted), str(missing)],
            ]
        ),
        Paragraph(
            "请督促有关同志在月底前报足应报信息，未完成月度任务的将按考核办法扣分。特此提醒。"
        ),
    ]
    contact = "，".join(
        part
        for part in (
            f"联系人：{profile.contact}" if profile.contact else "",
            f"传真：{profile.fax}" if profile.fax else "",
        )
        if part
    )
    if contact:
        blocks.append(Paragraph(f"（{contact}）"))
    recipients = [Recipients("送", [f"{unit.name}主要负责同志"])]
    if deputies:
        recipients.append(Recipients("抄送", [f"{unit.name}{name}同志" for name in deputies]))
    return OfficialDocument(
        masthead=MASTHEAD,
        issuing_office=office,
        date=day,
        issue_line=label,
        title=f"关于{unit.name}{label}信息报送情况的提醒",
        blocks=blocks,
        distribution=Distribution(recipients=recipients, printed_by=office),
    )
