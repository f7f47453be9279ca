"""Files over the API: a multipart upload to an item, sniffed and size-limited as in the form."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xinbao.audit.models import AuditEvent
from xinbao.items.attachments import SIZE_LIMITS
from xinbao.items.models import Attachment, AttachmentKind, ItemStatus
from xinbao.items.tests.test_api import URL, ApiTestCase, new_item
from xinbao.items.uploads import SizeLimitUploadHandler


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 120, 60)).save(out, "PNG")
    return out.getvalue()


class ApiAttachmentTest(ApiTestCase):
    def draft(self, user: str = "alice") -> int:
        r = self.call("POST", URL, user=user, body=new_item())
        assert r.status_code == 201, r.data
        return int(r.data["id"])

    def upload(self, item_id: int, name: str, data: bytes, user: str = "alice") -> Any:
        response: Any = self.client.post(
            f"{URL}/{item_id}/attachments",
            {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
            HTTP_AUTHORIZATION=f"Bearer {self.tokens[user]}",
        )
        response.data = response.json()
        return response

    def test_it_stores_an_upload_with_the_type_read_from_its_content(self) -> None:
        item_id = self.draft()
        # Named .jpg, sent as octet-stream: the bytes are a PNG, and that decides.
        r = self.upload(item_id, "现场照片.jpg", png_bytes())
        assert r.status_code == 201, r.data
        assert r.data["kind"] == "picture"
        assert r.data["content_type"] == "image/png"
        assert r.data["name"] == "现场照片.jpg"
        assert r.data["url"].endswith(f"/items/{item_id}/files/{r.data['id']}/")
        stored = Attachment.objects.get(pk=r.data["id"])
        assert stored.kind == AttachmentKind.PICTURE and stored.uploaded_by_id == self.alice.pk
        assert Path(stored.file.path).read_bytes() == png_bytes()
        assert AuditEvent.objects.filter(action="attachment.add", object_id=str(item_id)).exists()
        # The item read back lists it; then it is submitted with its file.
        item = self.call("GET", f"{URL}/{item_id}").data
        assert [a["id"] for a in item["attachments"]] == [r.data["id"]]
        assert self.call("POST", f"{URL}/{item_id}/submit").data["status"] == "submitted"

    def test_it_refuses_a_file_whose_content_is_not_what_its_name_says(self) -> None:
        item_id = self.draft()
        forged = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2000
        r = self.upload(item_id, "情况报告.pdf", forged)
        self.assert_field_error(r, ["file", "file"], "upload_refused")
        assert (
            "is not a picture, audio, video or document type we accept"
            in r.data["detail"][0]["msg"]
        )
        assert "情况报告.pdf" in r.data["detail"][0]["msg"]
        assert not Attachment.objects.exists()

    def test_it_refuses_a_file_over_its_kinds_limit_and_names_the_limit(self) -> None:
        item_id = self.draft()
        limit = SIZE_LIMITS[AttachmentKind.PICTURE]
        too_big = png_bytes() + b"\x00" * (limit + 1)
        r = self.upload(item_id, "航拍.png", too_big)
        self.assert_field_error(r, ["file", "file"], "upload_refused")
        message = r.data["detail"][0]["msg"]
        assert "a Picture may be at most 20 MB" in message, message
        assert not Attachment.objects.exists()

    def test_it_names_the_largest_limit_for_a_file_dropped_while_streaming(self) -> None:
        item_id = self.draft()
        with (
            self.settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024),
            mock.patch.object(SizeLimitUploadHandler, "limit", 64 * 1024),
        ):
            r = self.upload(item_id, "巨大的视频.mp4", b"\x00" * (200 * 1024))
        self.assert_field_error(r, ["file", "file"], "file_too_large")
        assert "巨大的视频.mp4" in r.data["detail"][0]["msg"]
        assert "200 MB" in r.data["detail"][0]["msg"]
        assert not Attachment.objects.exists()

    def test_it_asks_for_the_file_field(self) -> None:
        item_id = self.draft()
        r = self.client.post(
            f"{URL}/{item_id}/attachments",
            {"other": "x"},
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['alice']}",
        )
        assert r.status_code == 422
        assert r.json()["detail"][0]["type"] == "missing"

    def test_it_refuses_sent_items_and_other_units(self) -> None:
        item_id = self.draft()
        self.call("POST", f"{URL}/{item_id}/submit")
        r = self.upload(item_id, "补充.png", png_bytes())
        assert r.status_code == 409, r.data
        assert "Withdraw it first" in r.data["detail"]
        assert self.upload(item_id, "补充.png", png_bytes(), user="bob").status_code == 404
        # The office sees the item but does not write into a unit's item.
        assert self.upload(item_id, "补充.png", png_bytes(), user="ed").status_code == 403
        assert not Attachment.objects.exists()
        assert self.call("GET", f"{URL}/{item_id}").data["status"] == ItemStatus.SUBMITTED
