"""Every kind of DOCX the office sends, opened in LibreOffice: 28 characters a line, 22 lines
a page, and the issue-number and date lines in one line each.

Each document is made by its feature's own builder from rows in the database, converted with
``soffice --headless --convert-to pdf`` and read back with ``pdftotext -layout``. Documents
shorter than two pages (a chase notice, a report of a small city) get body paragraphs added
after their own, so that every kind has whole pages of body text to count.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from xinbao.incidents.chase import build as build_chase_notice
from xinbao.incidents.models import (
    AccountabilityRecord,
    Incident,
    NoticeKind,
    RecordKind,
    ReportRequest,
)
from xinbao.incidents.notices import build_notice
from xinbao.items.models import Urgency
from xinbao.lib.levels import Category, Level
from xinbao.lib.officedoc import OfficialDocument, Paragraph, render_docx
from xinbao.lib.officedoc import layout as L
from xinbao.periodicals import outputs
from xinbao.periodicals.tests.factories import PeriodicalCase, make_periodical
from xinbao.scoring.letters import build_letter
from xinbao.scoring.reports import build_report

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice Writer (libreoffice-writer-nogui: soffice) and poppler-utils",
)

SENTENCE = (
    "各地各部门要认真贯彻落实有关要求，切实加强组织领导，压实工作责任，确保各项措施落地见效。"
)
#: A body paragraph of several lines; its sentences run into each other across lines.
FILLER = SENTENCE * 4
#: Enough paragraphs for two whole pages of body text after any document's own content.
FILLER_PARAGRAPHS = 12
#: Punctuation LibreOffice (and Word) may hang past the line's end.
HANGING = "，。、；：！？"
PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


def with_filler(document: OfficialDocument) -> OfficialDocument:
    filler = [Paragraph(FILLER) for _ in range(FILLER_PARAGRAPHS)]
    return dataclasses.replace(document, blocks=[*document.blocks, *filler])


def pages_in_libreoffice(data: bytes) -> list[list[str]]:
    """The DOCX as LibreOffice lays it out: each page's non-empty lines of ``pdftotext -layout``."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "document.docx").write_bytes(data)
        # A profile of its own, so that a running LibreOffice does not take the job.
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{folder / 'profile'}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                str(folder / "document.docx"),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        text = subprocess.run(
            ["pdftotext", "-layout", str(folder / "document.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    pages = [[line for line in page.split("\n") if line.strip()] for page in text.split("\f")]
    return [page for page in pages if page]


def squeezed(line: str) -> str:
    return re.sub(r"\s", "", line)


def is_filler(line: str) -> bool:
    return bool(squeezed(line)) and squeezed(line) in FILLER


def check_layout(document: OfficialDocument) -> None:
    """The head lines do not wrap; body pages hold 22 lines of 28 characters."""
    pages = pages_in_libreoffice(render_docx(document))
    first = [squeezed(line) for line in pages[0]]
    if document.issue_line:
        assert any(document.issue_line in line for line in first), first
    date_line = squeezed(document.issuing_office) + document.date_text()
    assert any(date_line in line for line in first), first

    # Pages of nothing but body text that goes on over the page: 22 lines each. (The page
    # before the distribution footer may end short: the footer is never split.)
    body_pages = [
        page
        for page, after in itertools.pairwise(pages)
        if all(is_filler(line) or PAGE_NUMBER.match(line.strip()) for line in page)
        and is_filler(after[0])
    ]
    assert body_pages, pages
    for page in body_pages:
        lines = [line for line in page if not PAGE_NUMBER.match(line.strip())]
        assert len(lines) == L.LINES_PER_PAGE, lines

    # Every line of body text that its paragraph goes on after is full: 28 characters, two
    # fewer on a paragraph's first line (the indent), a closing mark hanging past the edge.
    lines = [line for page in pages for line in page if is_filler(line)]
    full = 0
    for line, after in itertools.pairwise(lines):
        indented = line.startswith("  ")
        text = squeezed(line)
        if after.startswith("  "):
            assert text.endswith(SENTENCE[-1]), line  # a paragraph's last line
            continue
        room = L.CHARS_PER_LINE - 2 * indented
        width = len(text.rstrip(HANGING)) if len(text) > room else len(text)
        assert width == room, (len(text), line)
        full += not indented
    assert full >= L.LINES_PER_PAGE, lines


class LibreOfficeLayoutTest(PeriodicalCase):
    def test_it_lays_out_an_issue(self) -> None:
        # As the demo's 紧急信息快报: 特急, a masthead of six characters, a long title.
        periodical = make_periodical("紧急信息快报")
        body = "\n".join([FILLER] * FILLER_PARAGRAPHS)
        item = self.adopted(
            "东城县化工园区发生爆炸事故已造成3人死亡",
            body=body,
            urgency=Urgency.MAJOR_EMERGENCY,
            periodical=periodical,
        )
        issue = self.compiled(item, periodical=periodical)
        document = outputs.document(issue)
        assert document.urgency is not None
        check_layout(document)

    def test_it_lays_out_a_chase_notice(self) -> None:
        incident = Incident.objects.create(
            title="东城县化工园区爆炸事故",
            category=Category.ACCIDENT,
            level=Level.III,
            suggested_level=Level.III,
            summary="东城县化工园区发生爆炸。",
            created_by=self.duty,
        )
        now = timezone.now()
        request = ReportRequest.objects.create(
            incident=incident,
            unit=self.county_a,
            matter="东城县化工园区爆炸事故伤亡和处置情况",
            sent_at=now,
            written_due_at=now + dt.timedelta(hours=1),
            created_by=self.duty,
        )
        notice = build_chase_notice(request, f"{now.year}-007", now + dt.timedelta(hours=2))
        check_layout(with_filler(notice))

    def test_it_lays_out_a_notice(self) -> None:
        incident = Incident.objects.create(
            title="西山县山洪灾害",
            category=Category.NATURAL_DISASTER,
            level=Level.III,
            suggested_level=Level.III,
            summary="西山县发生山洪。",
            created_by=self.duty,
        )
        records = [
            AccountabilityRecord.objects.create(
                unit=unit, incident=incident, kind=kind, reason=reason, at=timezone.now()
            )
            for unit, kind, reason in (
                (self.county_a, RecordKind.LATE, "书面报告超过时限42分钟。"),
                (self.county_b, RecordKind.MISSED, "截至时限未报送。"),
            )
        ]
        notice = build_notice(
            kind=NoticeKind.CRITICISE,
            records=records,
            subject="2026年11月",
            number="2026-003",
            date=timezone.localdate(),
        )
        check_layout(with_filler(notice))

    def test_it_lays_out_a_score_report(self) -> None:
        report = build_report(dt.date(2026, 7, 1), dt.date(2026, 10, 1), day=dt.date(2026, 10, 8))
        check_layout(with_filler(report))

    def test_it_lays_out_a_reminder_letter(self) -> None:
        letter = build_letter(self.county_a, dt.date(2026, 11, 1), day=dt.date(2026, 11, 25))
        check_layout(with_filler(letter))
