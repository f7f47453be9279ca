"""An issue as an official document (GB/T 9704 layout): DOCX and PDF.

A signed issue is rendered from its frozen content (``Issue.frozen``), so the printed document
is exactly what the leader signed, whatever happened to the items afterwards. An issue not yet
signed is rendered from its current content, as a preview, without a signer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from xinbao.items.models import Attachment
from xinbao.items.models import Urgency as ItemUrgency
from xinbao.lib.labels import PRINTED
from xinbao.lib.officedoc import (
    Block,
    Distribution,
    EditorNote,
    NumberedItem,
    OfficialDocument,
    Recipients,
    Urgency,
    render_docx,
    render_html,
    render_pdf,
)
from xinbao.lib.officedoc.pictures import figure
from xinbao.periodicals.access import issue_label
from xinbao.periodicals.models import Issue, Periodical
from xinbao.periodicals.services import issue_content
from xinbao.periodicals.setup import distribution_recipients

_LABEL = re.compile(r"^\s*([^：:]{1,6})[：:]\s*(.+?)\s*$")
#: The label of a distribution line written without one (“各县（市、区）委办公室”).
DEFAULT_LABEL = "送"


def issue_line(number: int, total: int) -> str:
    """ "第12期（总第345期）"."""
    return f"第{number}期（总第{total}期）"


def distribution_lines(text: str) -> list[Recipients]:
    """The periodical's distribution list, one group a line: "报：市委各常委" → 报 / 市委各常委.

    Names within a line are separated by the full-width comma; a closing full stop is dropped
    (the footer adds its own).
    """
    groups = []
    for raw in text.splitlines():
        line = raw.strip().rstrip("。.")
        if not line:
            continue
        match = _LABEL.match(line)
        label, names = (match.group(1), match.group(2)) if match else (DEFAULT_LABEL, line)
        groups.append(Recipients(label, [n.strip() for n in names.split("，") if n.strip()]))
    return groups


def _urgency(urgencies: list[str]) -> Urgency | None:
    """特急 for major emergency information, 加急 for important, none otherwise."""
    if ItemUrgency.MAJOR_EMERGENCY in urgencies:
        return Urgency.EXTRA_URGENT
    if ItemUrgency.IMPORTANT in urgencies:
        return Urgency.URGENT
    return None


def _signed_day(frozen: dict[str, Any]) -> dt.date:
    signed_at = dt.datetime.fromisoformat(str(frozen["signed_at"]))
    return timezone.localtime(signed_at).date()


def _figures(pictures: list[dict[str, Any]]) -> list[Block]:
    """The chosen pictures of one item, in order, read from storage.

    A picture whose stored file no longer has the signed SHA-256 prints its caption only.
    """
    stored = Attachment.objects.in_bulk([int(p["attachment"]) for p in pictures])
    blocks: list[Block] = []
    for picture in pictures:
        attachment = stored.get(int(picture["attachment"]))
        caption = str(picture.get("caption", ""))
        data = b""
        if attachment is not None and attachment.sha256 == picture.get("sha256"):
            with attachment.file.open("rb") as fh:
                data = fh.read()
        blocks.append(figure(data, caption))
    return blocks


def document(issue: Issue) -> OfficialDocument:
    """The issue as an :class:`OfficialDocument`: from its frozen content once signed."""
    signed = bool(issue.content_hash and issue.frozen)
    content: dict[str, Any] = issue.frozen if signed else issue_content(issue)
    periodical: Periodical = issue.periodical
    blocks: list[Block] = []
    urgencies = []
    for item in content["items"]:
        urgencies.append(str(item.get("urgency", "")))
        if item.get("note"):
            blocks.append(EditorNote(str(item["note"])))
        paragraphs = [p for p in str(item["body"]).split("\n") if p.strip()]
        blocks.append(NumberedItem(str(item["title"]), paragraphs, number=int(item["position"])))
        blocks.extend(_figures(list(item.get("pictures", []))))
    return OfficialDocument(
        masthead=str(content.get("masthead") or content["periodical"]),
        issue_line=issue_line(int(content["number"]), int(content["total_number"])),
        issuing_office=str(content["issuing_office"]),
        date=_signed_day(content) if signed else timezone.localdate(),
        title=str(content.get("title", "")),
        signer=str(content.get("signer", "")) if signed else "",
        marking=PRINTED[issue_label(issue)],
        urgency=_urgency(urgencies),
        blocks=blocks,
        distribution=Distribution(
            # The structured list; the old one-line-per-group text for periodicals without one.
            recipients=distribution_recipients(periodical)
            or distribution_lines(periodical.distribution),
            printed_by=periodical.issuing_office,
            copies=periodical.copies,
        ),
    )


def file_name(issue: Issue, extension: str) -> str:
    """ "每日要情2026年第12期.docx"."""
    return f"{issue.periodical.name}{issue.year}年第{issue.number}期.{extension}"


def docx_bytes(issue: Issue) -> bytes:
    return render_docx(document(issue))


def pdf_bytes(issue: Issue) -> bytes:
    return render_pdf(document(issue))


def preview_html(issue: Issue) -> str:
    return render_html(document(issue))
