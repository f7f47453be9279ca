"""An issue printed: DOCX opened with python-docx, PDF read with poppler and one page drawn to
a PNG (``var/screenshots/issue_page1.png``) for a person to look at."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.urls import reverse
from docx.oxml.ns import qn
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from xinbao.items.models import Item, Urgency
from xinbao.lib.officedoc import layout as L
from xinbao.periodicals import outputs, services
from xinbao.periodicals.models import Issue
from xinbao.periodicals.tests.factories import PeriodicalCase

TITLE = "东城县多措并举做好防汛抗旱工作"
BODY = (
    "入汛以来，东城县降雨偏多。县委、县政府先后召开专题会议3次，研究部署防汛工作。\n"
    "全县共组建抢险队伍28支、队员560人，转移群众1200余人。"
)
NOTE = "东城县提前部署、压实责任，有关做法值得借鉴。"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="needs poppler-utils (pdftotext, pdftoppm)",
)


def east_asia_font(paragraph: DocxParagraph) -> str | None:
    run = paragraph.runs[0]._r
    rfonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


class OutputTest(PeriodicalCase):
    def signed(self) -> tuple[Issue, Item]:
        item = self.adopted(TITLE, body=BODY, urgency=Urgency.IMPORTANT)
        second = self.adopted("西山县开展汛前隐患排查", user=self.bob)
        issue = self.compiled(item, second)
        services.set_note(user=self.ed, entry=issue.entries.get(item=item), note=NOTE)
        issue = services.check(user=self.chief, issue=services.submit(user=self.ed, issue=issue))
        self.principal.full_name = "张明"
        self.principal.save(update_fields=["full_name"])
        return services.sign(user=self.principal, issue=issue), item

    def test_it_builds_the_document_from_the_frozen_content(self) -> None:
        issue, item = self.signed()
        # Changed after the signature: the document still prints what was signed.
        Item.objects.filter(pk=item.pk).update(title="签发后改动的标题")
        doc = outputs.document(issue)
        assert doc.masthead == "每日要情"
        assert doc.issue_line == f"第{issue.number}期（总第{issue.total_number}期）"
        assert doc.signer_text() == "签发人：张明"
        assert doc.issuing_office == "中共澜江市委办公室"
        assert doc.urgency is not None and doc.urgency.value == "加急"
        texts = list(doc.texts())
        assert TITLE in texts and "签发后改动的标题" not in texts
        assert NOTE in texts
        assert doc.distribution is not None and doc.distribution.copies == 60
        lines = [r.line() for r in doc.distribution.recipients]
        assert lines == [
            "报：省委办公厅。",
            "送：市委常委，市人大常委会、市政府、市政协领导。",
            "送：各县（市、区）委办公室。",
        ]

    def test_it_previews_an_unsigned_issue_without_a_signer(self) -> None:
        issue = self.compiled(self.adopted(TITLE))
        doc = outputs.document(issue)
        assert doc.signer == "" and TITLE in list(doc.texts())

    def test_it_writes_the_docx_in_the_official_layout(self) -> None:
        issue, _item = self.signed()
        word = docx.Document(io.BytesIO(outputs.docx_bytes(issue)))
        section = word.sections[0]
        for name, mm in {
            "page_width": 210,
            "page_height": 297,
            "top_margin": 37,
            "bottom_margin": 35,
            "left_margin": 28,
            "right_margin": 26,
        }.items():
            assert abs(getattr(section, name).mm - mm) < 0.1, name
        masthead = next(p for p in word.paragraphs if p.text == "每日要情")
        run = masthead.runs[0]
        assert run.font.color.rgb == RGBColor.from_string(L.RED)
        assert east_asia_font(masthead) == L.XIAOBIAOSONG
        assert run.font.size is not None and run.font.size.pt == L.masthead_size_pt("每日要情")
        body = next(p for p in word.paragraphs if p.text.startswith("入汛以来"))
        assert east_asia_font(body) == L.FANGSONG
        assert body.runs[0].font.size is not None and body.runs[0].font.size.pt == L.SIZE_3
        text = "\n".join(p.text for p in word.paragraphs)
        assert "签发人：张明" in text and NOTE in text

    @needs_poppler
    def test_it_writes_a_pdf_with_its_text_and_draws_a_page(self) -> None:
        issue, _item = self.signed()
        pdf = outputs.pdf_bytes(issue)
        assert pdf.startswith(b"%PDF")
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "每日要情" in text
        assert TITLE in text.replace(" ", "")
        folder = Path(settings.VAR_DIR) / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-", str(folder / "issue_page")],
            input=pdf,
            check=True,
        )
        page = next(folder.glob("issue_page*1.png"))
        assert page.stat().st_size > 5_000

    def test_it_downloads_as_attachments_for_those_who_may_see_the_issue(self) -> None:
        issue, _item = self.signed()
        self.client.force_login(self.ed)
        for name, kind in (
            ("periodicals:issue_docx", "wordprocessingml"),
            ("periodicals:issue_pdf", "pdf"),
        ):
            response = self.client.get(reverse(name, args=[issue.pk]))
            assert response.status_code == 200
            assert kind in response["Content-Type"]
            assert response["Content-Disposition"].startswith("attachment;")
            assert "filename*=utf-8''" in response["Content-Disposition"]
        preview = self.client.get(reverse("periodicals:issue_preview", args=[issue.pk]))
        assert TITLE in preview.content.decode()
        assert "default-src 'none'" in preview["Content-Security-Policy"]
        # A reporter, and a reader before distribution, get nothing.
        self.periodical.readers.add(self.liaison)
        pdf_url = reverse("periodicals:issue_pdf", args=[issue.pk])
        for user in (self.alice, self.liaison):
            self.client.force_login(user)
            assert self.client.get(pdf_url).status_code == 404
        services.distribute(user=self.ed, issue=issue)
        assert self.client.get(pdf_url).status_code == 200
