"""Classified markings are looked for inside attached documents, not only in the item's text:
Word (body and header), Excel, OFD, PDF and plain text."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from xinbao.items.models import Attachment, Item
from xinbao.items.tests.test_attachments import form
from xinbao.test import BaseTestCase


def word(body: str, header: str = "", split_runs: bool = False) -> bytes:
    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    paragraph = document.add_paragraph()
    if split_runs:
        # Word splits text over runs at will (a change of font, a spelling mark).
        for part in (body[:1], body[1:3], body[3:]):
            paragraph.add_run(part)
    else:
        paragraph.add_run(body)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def workbook(cell: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "单位"
    sheet["B2"] = cell
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(text: str, password: str = "") -> bytes:
    rendered: bytes = HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf()
    if not password:
        return rendered
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(rendered)))
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def ofd(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        archive.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            "<ofd:Page xmlns:ofd='http://www.ofdspec.org/2016'><ofd:Content><ofd:Layer>"
            f"<ofd:TextObject ID='1'><ofd:TextCode X='0' Y='0'>{text}</ofd:TextCode>"
            "</ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>",
        )
    return out.getvalue()


MARKED = "机密★1年 关于东城县化工园区事故的内部情况"
PLAIN = "关于东城县化工园区事故的情况说明（保守工作秘密，注意保存）"


class AttachmentMarkingTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def upload(self, name: str, content: bytes) -> str:
        response = self.client.post(
            reverse("items:create"),
            form(uploads=[SimpleUploadedFile(name, content)]),
            follow=True,
        )
        return response.content.decode()

    def assert_refused(self, name: str, content: bytes, marking: str) -> None:
        page = self.upload(name, content)
        assert f"“{name}” carries the classified marking “{marking}”" in page, page[-3000:]
        assert Attachment.objects.count() == 0
        # The item's typed text is kept as a draft: nothing is lost.
        assert Item.objects.filter(title="东城县突发山洪").exists()

    def test_it_refuses_a_word_document_marked_in_its_header(self) -> None:
        self.assert_refused("情况.docx", word(PLAIN, header="秘密★"), "秘密★")

    def test_it_finds_a_marking_split_over_runs(self) -> None:
        self.assert_refused("情况.docx", word(MARKED, split_runs=True), "机密★")

    def test_it_refuses_a_marked_workbook(self) -> None:
        self.assert_refused("统计.xlsx", workbook("绝密★ 名单"), "绝密★")

    def test_it_refuses_a_marked_pdf(self) -> None:
        self.assert_refused("情况.pdf", pdf(MARKED), "机密★")

    def test_it_refuses_a_marked_ofd(self) -> None:
        self.assert_refused("情况.ofd", ofd(MARKED), "机密★")

    def test_it_refuses_marked_plain_text_in_gb18030(self) -> None:
        self.assert_refused("情况.txt", MARKED.encode("gb18030"), "机密★")

    def test_it_refuses_an_encrypted_pdf_it_cannot_read(self) -> None:
        page = self.upload("情况.pdf", pdf(PLAIN, password="123456"))
        assert "“情况.pdf” is encrypted, so it cannot be checked" in page
        assert Attachment.objects.count() == 0

    def test_it_accepts_documents_without_a_marking(self) -> None:
        # "秘密" in prose (工作秘密) is not a marking.
        for name, content in (
            ("情况.docx", word(PLAIN, header="东城县应急管理局")),
            ("统计.xlsx", workbook(PLAIN)),
            ("情况.pdf", pdf(PLAIN)),
            ("情况.ofd", ofd(PLAIN)),
            ("情况.txt", PLAIN.encode()),
        ):
            page = self.upload(name, content)
            assert "classified marking" not in page, name
        assert Attachment.objects.count() == 5
