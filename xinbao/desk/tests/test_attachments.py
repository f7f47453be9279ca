"""The desk page shows what came with an item: pictures, audio and video to play, documents."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from xinbao.items import services as item_services
from xinbao.items.models import Attachment, Item
from xinbao.items.tasks import make_thumbnail
from xinbao.test import BaseTestCase


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (160, 40, 40)).save(out, "JPEG")
    return out.getvalue()


#: The first bytes a phone's recorder and camera write (ID3 + MPEG frame; an MP4 'ftyp' box).
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 2000
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2000
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n" + b" " * 500


class DeskAttachmentsTest(BaseTestCase):
    def setUp(self) -> None:
        self.item = self.make_item(self.alice, title="青石镇山洪")
        self.files = {
            name: self.attach(self.item, name, data)
            for name, data in (
                ("抢险现场.jpg", jpeg()),
                ("现场录音.mp3", MP3),
                ("航拍.mp4", MP4),
                ("灾情统计.pdf", PDF),
            )
        }

    def attach(self, item: Item, name: str, data: bytes) -> Attachment:
        return item_services.add_attachment(
            user=self.alice, item=item, upload=SimpleUploadedFile(name, data)
        )

    def test_it_shows_every_kind_of_attachment_on_the_desk_page(self) -> None:
        assert [a.kind for a in self.files.values()] == ["picture", "audio", "video", "document"]
        self.client.force_login(self.ed)
        page = self.client.get(reverse("desk:item", args=[self.item.pk])).content.decode()
        pk = self.item.pk
        picture, audio, video, document = (a.pk for a in self.files.values())

        def inline(att: int) -> str:
            return reverse("items:attachment_inline", args=[pk, att])

        assert f'<img class="xb-thumb" alt="抢险现场.jpg" src="{inline(picture)}">' in page
        assert f'<audio controls preload="none" class="w-100" src="{inline(audio)}">' in page
        assert f'<video controls preload="metadata" class="w-100" src="{inline(video)}">' in page
        assert f'href="{reverse("items:attachment", args=[pk, document])}">灾情统计.pdf</a>' in page
        # What the page links to opens for the editor.
        response = self.client.get(inline(picture))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"

    def test_it_shows_the_thumbnail_once_it_is_made(self) -> None:
        picture = self.files["抢险现场.jpg"]
        assert make_thumbnail.call(picture.pk) == "made"
        self.client.force_login(self.chief)
        page = self.client.get(reverse("desk:item", args=[self.item.pk])).content.decode()
        thumb = reverse("items:attachment_thumb", args=[self.item.pk, picture.pk])
        assert f'src="{thumb}"' in page
        assert self.client.get(thumb).status_code == 200

    def test_it_shows_no_attachment_section_for_an_item_without_files(self) -> None:
        bare = self.make_item(self.bob, title="西山县例行会议")
        self.client.force_login(self.ed)
        page = self.client.get(reverse("desk:item", args=[bare.pk])).content.decode()
        assert 'id="attachments"' not in page
