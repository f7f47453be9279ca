"""The commission notice (约稿通知单) as an official document, printed as DOCX or PDF.

Drawn from the commission itself each time it is downloaded: a sent commission does not change.
"""

from __future__ import annotations

from django.utils import timezone

from xinbao.lib.officedoc import Distribution, OfficialDocument, Paragraph, Recipients, Table
from xinbao.org.selectors import current_office
from xinbao.research.models import Commission, CommissionForm

MASTHEAD = "约稿通知单"

#: The form of research as the notice words it.
FORM_WORDS = {
    CommissionForm.STATIONED: "蹲点调研",
    CommissionForm.JOINT: "联合调研",
    CommissionForm.COMMISSIONED: "约稿",
}


def build_notice(commission: Commission) -> OfficialDocument:
    """The notice to every unit of ``commission``: the subject, the form, the due day, the
    writing requirements and the units it goes to."""
    office = current_office()
    units = [a.unit for a in commission.assignments.select_related("unit").order_by("unit__code")]
    names = [u.name for u in units]
    due = commission.due_on
    day = timezone.localdate(commission.sent_at) if commission.sent_at else timezone.localdate()
    form = FORM_WORDS.get(CommissionForm(commission.form), "约稿")
    blocks: list[Paragraph | Table] = [
        Paragraph(f"{'、'.join(names)}："),
        Paragraph(
            f"为服务领导决策，现就“{commission.subject}”开展{form}。请各单位围绕主题深入调查研究，"
            f"于{due.year}年{due.month}月{due.day}日前通过信息报送系统报送，"
            "报送时在本约稿下关联所报信息。"
        ),
        Paragraph("写作要求："),
        *[Paragraph(line.strip()) for line in commission.requirements.splitlines() if line.strip()],
        Table(
            rows=[
                ["编号", "主题", "形式", "报送截止"],
                [commission.number or "（草稿）", commission.subject, form, due.isoformat()],
            ]
        ),
        Paragraph("逾期未报送的，按信息工作考核办法扣分。"),
    ]
    contact = "，".join(
        part
        for part in (
            f"联系人：{office.contact}" if office.contact else "",
            f"传真：{office.fax}" if office.fax else "",
        )
        if part
    )
    if contact:
        blocks.append(Paragraph(f"（{contact}）"))
    return OfficialDocument(
        masthead=MASTHEAD,
        issuing_office=office.name,
        date=day,
        issue_line=commission.number,
        title=f"关于“{commission.subject}”的约稿通知",
        blocks=blocks,
        distribution=Distribution(recipients=[Recipients("送", names)], printed_by=office.name),
    )
