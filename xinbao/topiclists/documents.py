"""The list as the office prints and sends it: DOCX and PDF in the GB/T 9704 layout. The text
is the office's Chinese, as on the printed paper, whatever the reader's page language."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone

from xinbao.lib.http import DOCUMENT_TYPES, document_download
from xinbao.lib.officedoc import (
    Distribution,
    NumberedItem,
    OfficialDocument,
    Paragraph,
    Recipients,
    render_docx,
    render_pdf,
)
from xinbao.org.selectors import current_office
from xinbao.topiclists.models import TopicList

KIND_WORDS = {
    "dynamic": "动态类",
    "comprehensive": "综合类",
    "analysis": "分析类",
    "assessment": "评估类",
    "proposal": "建议类",
}


def build(topic_list: TopicList) -> OfficialDocument:
    office = current_office()
    blocks: list[Paragraph | NumberedItem] = []
    if topic_list.foreword:
        blocks += [Paragraph(p) for p in topic_list.foreword.splitlines() if p.strip()]
    for number, topic in enumerate(
        topic_list.topics.prefetch_related("unit_classes").order_by("order", "pk"), 1
    ):
        paragraphs = [p for p in topic.wanted.splitlines() if p.strip()]
        notes = []
        if topic.suggested_kind:
            notes.append(f"建议报送{KIND_WORDS.get(topic.suggested_kind, '')}信息")
        classes = [c.name for c in topic.unit_classes.all()]
        if classes:
            notes.append("主要面向" + "、".join(classes) + "单位")
        if notes:
            paragraphs.append("（" + "；".join(notes) + "）")
        blocks.append(NumberedItem(title=topic.title, paragraphs=paragraphs, number=number))
    published = topic_list.published_at or timezone.now()
    return OfficialDocument(
        masthead="信息报送要点",
        issuing_office=office.name,
        date=timezone.localtime(published).date(),
        issue_line=f"{topic_list.month.year}年第{topic_list.month.month}期",
        title=topic_list.title,
        blocks=tuple(blocks),
        distribution=Distribution(
            recipients=(Recipients("送", ("各县（市、区）委办公室、市直各单位、各直报点",)),),
            printed_by=office.name,
        ),
    )


def file_name(topic_list: TopicList, fmt: str) -> str:
    return f"topics-{topic_list.month:%Y-%m}.{fmt}"


def response(topic_list: TopicList, fmt: str) -> HttpResponse:
    if fmt not in DOCUMENT_TYPES:
        raise Http404
    document = build(topic_list)
    data = render_docx(document) if fmt == "docx" else render_pdf(document)
    return document_download(data, file_name(topic_list, fmt), fmt)
