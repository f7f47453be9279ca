"""Uploads: containers checked by their content, downloads named by the sniffed type,
pictures refused by their pixel count before anything decodes them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from xinbao.items.models import Attachment, Item, ItemStatus
from xinbao.items.tasks import make_thumbnail
from xinbao.items.tests.test_attachments import form, png_bytes
from xinbao.test import BaseTestCase


def zip_bytes(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(["[Content_Types].xml", "_rels/.rels", "word/document.xml"])


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def huge_png(width: int, height: int) -> bytes:
    """A one-colour, one-bit PNG: a few hundred KB on disk however many pixels it claims."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


class ContainerTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_it_refuses_a_zip_renamed_docx_naming_the_file(self) -> None:
        fake = SimpleUploadedFile("材料.docx", zip_bytes(["photos/1.jpg", "readme.txt"]))
        response = self.client.post(reverse("items:create"), form(uploads=[fake]), follow=True)
        page = response.content.decode()
        item = Item.objects.get(title="东城县突发山洪")
        assert item.status == ItemStatus.DRAFT
        assert Attachment.objects.count() == 0
        assert "“材料.docx” is not a Word document" in page

    def test_it_refuses_an_excel_workbook_named_docx(self) -> None:
        xlsx = zip_bytes(["[Content_Types].xml", "xl/workbook.xml"])
        response = self.client.post(
            reverse("items:create"),
            form(uploads=[SimpleUploadedFile("表.docx", xlsx)]),
            follow=True,
        )
        assert "“表.docx” is not a Word document" in response.content.decode()
        assert Attachment.objects.count() == 0

    def test_it_accepts_a_real_word_document(self) -> None:
        upload = SimpleUploadedFile("情况说明.docx", docx_bytes())
        self.client.post(reverse("items:create"), form(uploads=[upload]))
        attachment = Attachment.objects.get()
        assert attachment.kind == "document"
        assert attachment.content_type.endswith("wordprocessingml.document")


class DownloadNameTest(BaseTestCase):
    def test_it_names_a_download_by_its_sniffed_type(self) -> None:
        self.client.force_login(self.alice)
        upload = SimpleUploadedFile("现场.pdf", png_bytes())
        self.client.post(reverse("items:create"), form(uploads=[upload]))
        attachment = Attachment.objects.get()
        assert attachment.content_type == "image/png"
        response = self.client.get(
            reverse("items:attachment", args=[attachment.item_id, attachment.pk])
        )
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert "%E7%8E%B0%E5%9C%BA.png" in disposition
        assert ".pdf" not in disposition
        response.close()


class PixelLimitTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_it_refuses_a_400_megapixel_picture_at_upload(self) -> None:
        bomb = huge_png(20000, 20000)
        assert len(bomb) < 1024 * 1024
        response = self.client.post(
            reverse("items:create"),
            form(uploads=[SimpleUploadedFile("炸弹.png", bomb)]),
            follow=True,
        )
        page = response.content.decode()
        # Past Pillow's own ceiling even the header is not read: no dimensions to show.
        assert "“炸弹.png” has far too many pixels" in page
        assert "at most 50 megapixels" in page
        assert Attachment.objects.count() == 0

    @override_settings(XINBAO_MAX_PICTURE_PIXELS=100 * 100)
    def test_it_refuses_by_the_configured_limit(self) -> None:
        # Within Pillow's ceiling the header is read and the dimensions are shown.
        response = self.client.post(
            reverse("items:create"),
            form(uploads=[SimpleUploadedFile("p.png", png_bytes((200, 100)))]),
            follow=True,
        )
        assert "“p.png” is 200 × 100 pixels" in response.content.decode()
        assert Attachment.objects.count() == 0

    def test_the_thumbnail_task_does_not_decode_past_the_limit(self) -> None:
        # A picture stored before the limit existed: 144 megapixels, once decoded in full.
        item = self.make_item(self.alice)
        attachment = Attachment(
            item=item,
            kind="picture",
            original_name="old.png",
            content_type="image/png",
            size=1,
            sha256="0" * 64,
            uploaded_by=self.alice,
        )
        attachment.file.save("0" * 64, ContentFile(huge_png(12000, 12000)), save=False)
        attachment.save()
        assert make_thumbnail.call(attachment.pk) == "too large"
        attachment.refresh_from_db()
        assert not attachment.thumbnail
