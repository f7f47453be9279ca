from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TransactionTestCase
from django.urls import reverse
from PIL import Image

from xinbao.items.attachments import SIZE_LIMITS
from xinbao.items.models import Attachment, Item, ItemStatus
from xinbao.items.uploads import SizeLimitUploadHandler
from xinbao.test import BaseTestCase, Personas


def png_bytes(size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "东城县突发山洪",
        "body": "7月8日凌晨，东城县青石镇突发山洪。\n已转移群众120人，无人员伤亡。",
        "kind": "dynamic",
        "urgency": "important",
        "writer_name": "赵小红",
        "writer_phone": "13800000001",
        "place": "东城县青石镇",
        "action": "submit",
    }
    data.update(extra)
    return data


class AttachmentTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_it_stores_a_picture_sniffed_from_its_content(self) -> None:
        # The name says .jpg; the bytes are a PNG: the content decides.
        upload = SimpleUploadedFile("现场.jpg", png_bytes(), content_type="text/plain")
        response = self.client.post(reverse("items:create"), form(uploads=[upload]))
        assert response.status_code == 302
        item = Item.objects.get(title="东城县突发山洪")
        assert item.status == ItemStatus.SUBMITTED
        attachment = item.attachments.get()
        assert attachment.kind == "picture"
        assert attachment.content_type == "image/png"
        assert attachment.original_name == "现场.jpg"
        # Stored under the media root, which is outside the static (web) root.
        path = Path(attachment.file.path)
        assert path.is_file()
        assert settings.STATIC_ROOT not in path.parents
        assert "现场" not in str(path)

    def test_it_serves_downloads_as_attachments_and_previews_inline(self) -> None:
        item = self.make_item(self.alice)
        self.client.post(
            reverse("items:edit", args=[item.pk]),
            form(action="save", uploads=[SimpleUploadedFile("a.png", png_bytes())]),
        )
        assert item.status == ItemStatus.SUBMITTED  # a sent item is not edited
        item.status = ItemStatus.DRAFT
        item.save()
        self.client.post(
            reverse("items:edit", args=[item.pk]),
            form(action="save", uploads=[SimpleUploadedFile("a.png", png_bytes())]),
        )
        attachment = item.attachments.get()
        download = self.client.get(reverse("items:attachment", args=[item.pk, attachment.pk]))
        assert download["Content-Disposition"].startswith("attachment")
        assert download["X-Content-Type-Options"] == "nosniff"
        inline = self.client.get(reverse("items:attachment_inline", args=[item.pk, attachment.pk]))
        assert inline["Content-Disposition"].startswith("inline")
        assert inline["Content-Type"] == "image/png"
        assert "sandbox" in inline["Content-Security-Policy"]
        assert b"".join(inline.streaming_content) == png_bytes()  # type: ignore[attr-defined]

    def test_it_refuses_a_forbidden_type_and_keeps_the_draft(self) -> None:
        script = SimpleUploadedFile("photo.png", b"#!/bin/sh\nrm -rf /\n")
        exe = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200)
        response = self.client.post(
            reverse("items:create"), form(uploads=[script, exe]), follow=True
        )
        page = response.content.decode()
        item = Item.objects.get(title="东城县突发山洪")
        # The text is saved as a draft, not submitted, and nothing was stored.
        assert item.status == ItemStatus.DRAFT
        assert item.attachments.count() == 0
        assert "photo.png" in page and "report.pdf" in page
        assert not default_storage.exists("attachments")

    def test_it_refuses_an_oversized_picture_naming_the_limit(self) -> None:
        big = png_bytes() + b"\x00" * (SIZE_LIMITS["picture"] + 1)
        response = self.client.post(
            reverse("items:create"),
            form(uploads=[SimpleUploadedFile("big.png", big)]),
            follow=True,
        )
        page = response.content.decode()
        assert "20 MB" in page
        assert Attachment.objects.count() == 0

    def test_it_accepts_documents_audio_and_video(self) -> None:
        pdf = SimpleUploadedFile(
            "情况说明.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
        )
        mp3 = SimpleUploadedFile("录音.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 64)
        mp4 = SimpleUploadedFile(
            "视频.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
        )
        self.client.post(reverse("items:create"), form(uploads=[pdf, mp3, mp4]))
        kinds = sorted(Attachment.objects.values_list("kind", flat=True))
        assert kinds == ["audio", "document", "video"]


class StreamingLimitTest(BaseTestCase):
    def test_it_skips_a_file_past_the_largest_limit_while_it_streams(self) -> None:
        self.client.force_login(self.alice)
        with (
            self.settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024),
            mock.patch.object(SizeLimitUploadHandler, "limit", 64 * 1024),
        ):
            huge = SimpleUploadedFile("巨大的视频.mp4", b"\x00" * (200 * 1024))
            response = self.client.post(reverse("items:create"), form(uploads=[huge]), follow=True)
        page = response.content.decode()
        assert "巨大的视频.mp4" in page
        item = Item.objects.get(title="东城县突发山洪")
        assert item.status == ItemStatus.DRAFT
        assert Attachment.objects.count() == 0


class BackgroundTaskTest(Personas, TransactionTestCase):
    """The real worker, in its own transactions (it closes its connection when done)."""

    def setUp(self) -> None:
        self.create_personas()

    def test_it_makes_a_thumbnail_in_the_background(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(
            reverse("items:create"),
            form(uploads=[SimpleUploadedFile("p.png", png_bytes((2000, 1000)))]),
        )
        attachment = Attachment.objects.get()
        assert not attachment.thumbnail
        call_command("db_worker", "--batch", verbosity=0)
        attachment.refresh_from_db()
        assert attachment.thumbnail
        with attachment.thumbnail.open("rb") as fh, Image.open(fh) as thumb:
            assert thumb.format == "JPEG"
            assert max(thumb.size) == 480
        response = self.client.get(
            reverse("items:attachment_thumb", args=[attachment.item_id, attachment.pk])
        )
        assert response["Content-Type"] == "image/jpeg"
