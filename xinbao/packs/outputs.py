"""A pack as a document (参阅件) in the office's layout: DOCX and PDF through ``lib.officedoc``.

Rendered from the entries as they were added (their stored titles and texts), so a delivered
pack prints what was delivered. The entries print in the editor's order; the figures together,
as one table where the first of them stands.
"""

from __future__ import annotations

from django.utils import timezone

from xinbao.lib.labels import PRINTED, Sensitivity
from xinbao.lib.officedoc import (
    Block,
    Distribution,
    EditorNote,
    Heading,
    NumberedItem,
    OfficialDocument,
    Paragraph,
    Recipients,
    Table,
    render_docx,
    render_pdf,
)
from xinbao.org.selectors import current_office
from xinbao.packs.models import Entry, EntryKind, Pack

MASTHEAD = "决策参考"
OCCASIONS = {"meeting": "会议", "visit": "调研考察", "decision": "决策", "other": "参阅"}


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def _figures_table(figures: list[Entry]) -> Table:
    rows = [["项目", "数值", "来源"]]
    rows += [[f.label, f"{f.value}{f.unit}", f.source] for f in figures]
    return Table(rows=rows, caption="主要数据")


def blocks(pack: Pack, entries: list[Entry]) -> list[Block]:
    found: list[Block] = []
    if pack.foreword:
        found.append(EditorNote(pack.foreword))
    figures = [e for e in entries if e.kind == EntryKind.FIGURE]
    table_placed = False
    number = 0
    for entry in entries:
        if entry.kind == EntryKind.ITEM:
            number += 1
            if entry.note:
                found.append(EditorNote(entry.note, label="摘要"))
            found.append(NumberedItem(entry.title, _paragraphs(entry.text), number=number))
        elif entry.kind == EntryKind.INSTRUCTION:
            found.append(Heading(f"{entry.title}同志批示", level=2))
            found.extend(Paragraph(p) for p in _paragraphs(entry.text))
            if entry.note:
                found.append(EditorNote(entry.note))
        elif entry.kind == EntryKind.FIGURE:
            if not table_placed:
                found.append(_figures_table(figures))
                table_placed = True
        else:
            if entry.title:
                found.append(Heading(entry.title, level=1))
            found.extend(Paragraph(p) for p in _paragraphs(entry.text))
            if entry.note:
                found.append(EditorNote(entry.note))
    return found


def label(entries: list[Entry]) -> Sensitivity:
    return Sensitivity(max((e.sensitivity for e in entries), default=Sensitivity.ORDINARY))


def document(pack: Pack) -> OfficialDocument:
    entries = list(pack.entries.all())
    office = current_office()
    leaders = [r.full_name or r.username for r in pack.recipients.order_by("pk")]
    day = timezone.localtime(pack.delivered_at or timezone.now()).date()
    when = timezone.localtime(pack.occasion_at).strftime("%Y-%m-%d %H:%M")
    return OfficialDocument(
        masthead=MASTHEAD,
        issue_line=f"第{pack.number}期" if pack.number else "（送审稿）",
        issuing_office=office.name,
        date=day,
        title=pack.title,
        marking=PRINTED[label(entries)],
        blocks=[
            Paragraph(f"用于：{OCCASIONS.get(pack.occasion, '参阅')}（{when}）"),
            *blocks(pack, entries),
        ],
        distribution=Distribution(
            recipients=[Recipients("送", leaders)] if leaders else [],
            printed_by=office.name,
        ),
    )


def file_name(pack: Pack, extension: str) -> str:
    """ "决策参考2026年第3期.docx"; a draft: "决策参考（送审稿）<title>.pdf"."""
    if pack.number:
        return f"{MASTHEAD}{pack.year}年第{pack.number}期.{extension}"
    return f"{MASTHEAD}（送审稿）{pack.title[:30]}.{extension}"


def docx_bytes(pack: Pack) -> bytes:
    return render_docx(document(pack))


def pdf_bytes(pack: Pack) -> bytes:
    return render_pdf(document(pack))
