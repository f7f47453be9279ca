"""Pictures chosen for an issue: on the compiling page, the leader's phone page, the reading
room, in the DOCX and the PDF with their captions, and in the signed content's hash; audio and
video linked from the pages."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx.oxml.ns import qn
from PIL import Image

from xinbao.audit.models import AuditEvent
from xinbao.items import services as item_services
from xinbao.items.models import Attachment, Item
from xinbao.lib.officedoc import layout as L
from xinbao.periodicals import outputs, services
from xinbao.periodicals.models import Issue, IssuePicture
from xinbao.periodicals.tests.factories import PeriodicalCase

CAPTION = "青石镇抢险队员转移受困群众"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfimages") is None,
    reason="needs poppler-utils (pdftotext, pdfimages)",
)


def jpeg(size: tuple[int, int] = (1200, 800), color: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def mp3() -> bytes:
    # An ID3 tag and an MPEG frame header: what a phone's recorder writes first.
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 4000


class PictureCase(PeriodicalCase):
    def setUp(self) -> None:
        self.item = self.adopted("东城县青石镇突发山洪", body="7月8日凌晨，青石镇突发山洪。")
        self.first = self.attach("抢险现场.jpg", jpeg())
        self.second = self.attach("会商.jpg", jpeg((600, 900), (200, 200, 40)))
        self.audio = self.attach("镇长电话汇报.mp3", mp3())
        self.issue = self.compiled(self.item)
        self.entry = self.issue.entries.get()

    def attach(self, name: str, data: bytes, item: Item | None = None) -> Attachment:
        return item_services.add_attachment(
            user=self.alice, item=item or self.item, upload=SimpleUploadedFile(name, data)
        )

    def choose(self, *pictures: tuple[Attachment, str]) -> None:
        services.set_pictures(user=self.ed, entry=self.entry, pictures=list(pictures))

    def signed(self) -> Issue:
        issue = services.check(
            user=self.chief, issue=services.submit(user=self.ed, issue=self.issue)
        )
        return services.sign(user=self.leader, issue=issue)


class ChoosingTest(PictureCase):
    def test_it_offers_the_items_pictures_with_their_names_as_captions(self) -> None:
        self.client.force_login(self.ed)
        page = self.client.get(reverse("periodicals:issue", args=[self.issue.pk])).content.decode()
        action = reverse("periodicals:entry_pictures", args=[self.issue.pk, self.entry.pk])
        assert f'action="{action}"' in page
        assert f'name="caption-{self.first.pk}"' in page and 'value="抢险现场"' in page
        assert f'name="caption-{self.second.pk}"' in page and 'value="会商"' in page
        # The recording is not offered as a picture; it is linked.
        assert f'name="caption-{self.audio.pk}"' not in page
        assert reverse("items:attachment_inline", args=[self.item.pk, self.audio.pk]) in page

    def test_it_saves_the_choice_with_edited_and_default_captions(self) -> None:
        self.client.force_login(self.ed)
        url = reverse("periodicals:entry_pictures", args=[self.issue.pk, self.entry.pk])
        response = self.client.post(
            url,
            {
                "picture": [self.second.pk, self.first.pk],
                f"caption-{self.first.pk}": f"  {CAPTION} ",
                f"caption-{self.second.pk}": "",
            },
        )
        assert response.status_code == 302
        rows = list(IssuePicture.objects.filter(entry=self.entry).order_by("position"))
        assert [(r.attachment_id, r.caption) for r in rows] == [
            (self.first.pk, CAPTION),
            (self.second.pk, "会商"),
        ]
        event = AuditEvent.objects.filter(action="issue.pictures").latest("pk")
        assert event.actor_id == self.ed.pk
        # Choosing again replaces the choice: nothing chosen, nothing printed.
        self.client.post(url, {})
        assert not IssuePicture.objects.filter(entry=self.entry).exists()

    def test_it_refuses_a_classified_caption_and_keeps_what_was_typed(self) -> None:
        self.client.force_login(self.ed)
        url = reverse("periodicals:entry_pictures", args=[self.issue.pk, self.entry.pk])
        typed = "现场照片 机密★1年"
        response = self.client.post(
            url, {"picture": [self.first.pk], f"caption-{self.first.pk}": typed}
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "classified marking" in page
        assert f'value="{typed}"' in page
        assert not IssuePicture.objects.exists()

    def test_it_refuses_pictures_of_another_item_and_other_roles(self) -> None:
        other = self.adopted("西山县开展汛前检查", user=self.bob)
        stranger = self.attach("西山.jpg", jpeg(), item=other)
        with pytest.raises(services.IssueError, match="not a picture of this item"):
            self.choose((stranger, "西山"))
        with pytest.raises(services.IssueError, match="not a picture of this item"):
            self.choose((self.audio, "录音"))
        with pytest.raises(PermissionDenied):
            services.set_pictures(user=self.leader, entry=self.entry, pictures=[(self.first, "")])
        # Once sent on, the choice is part of what is checked and signed.
        self.choose((self.first, CAPTION))
        services.submit(user=self.ed, issue=self.issue)
        with pytest.raises(services.IssueError, match="can no longer be changed"):
            self.choose((self.second, ""))

    def test_it_lets_the_duty_officer_choose_on_a_night_issue(self) -> None:
        with pytest.raises(PermissionDenied):
            services.set_pictures(user=self.duty, entry=self.entry, pictures=[(self.first, "")])
        self.periodical.duty_officer_may_issue = True
        self.periodical.save(update_fields=["duty_officer_may_issue"])
        self.entry.issue.periodical.refresh_from_db()
        services.set_pictures(user=self.duty, entry=self.entry, pictures=[(self.first, "")])
        assert IssuePicture.objects.get(entry=self.entry).caption == "抢险现场"


class SignedContentTest(PictureCase):
    def test_it_freezes_the_pictures_and_captions_under_the_hash(self) -> None:
        self.choose((self.first, CAPTION))
        before = services.content_hash(services.issue_content(self.issue))
        self.choose((self.first, "另一个图注"))
        assert services.content_hash(services.issue_content(self.issue)) != before
        self.choose((self.first, CAPTION))
        issue = self.signed()
        assert issue.frozen["items"][0]["pictures"] == [
            {"attachment": self.first.pk, "caption": CAPTION, "sha256": self.first.sha256}
        ]
        assert services.frozen_intact(issue)
        tampered = dict(issue.frozen)
        tampered["items"] = [{**issue.frozen["items"][0], "pictures": []}]
        assert services.content_hash(tampered) != issue.content_hash

    def test_it_keeps_issues_without_pictures_as_they_were(self) -> None:
        issue = self.signed()
        assert "pictures" not in issue.frozen["items"][0]


class PagesTest(PictureCase):
    def test_it_names_a_served_picture_by_its_sniffed_type(self) -> None:
        # A JPEG uploaded under a .png name downloads as .jpg, as the item's own downloads do.
        Attachment.objects.filter(pk=self.first.pk).update(original_name="现场照片.png")
        self.choose((self.first, CAPTION))
        self.client.force_login(self.ed)
        served = self.client.get(
            reverse("periodicals:issue_picture", args=[self.issue.pk, self.first.pk])
        )
        assert served.status_code == 200
        disposition = served["Content-Disposition"]
        assert ".jpg" in disposition and ".png" not in disposition, disposition

    def test_it_shows_the_pictures_on_the_phone_page_and_in_the_reading_room(self) -> None:
        self.choose((self.first, CAPTION))
        picture = reverse("periodicals:issue_picture", args=[self.issue.pk, self.first.pk])
        unchosen = reverse("periodicals:issue_picture", args=[self.issue.pk, self.second.pk])
        recording = reverse("items:attachment_inline", args=[self.item.pk, self.audio.pk])
        issue = services.check(
            user=self.chief, issue=services.submit(user=self.ed, issue=self.issue)
        )
        self.client.force_login(self.leader)
        phone = self.client.get(reverse("periodicals:sign_issue", args=[issue.pk])).content.decode()
        assert f'src="{picture}"' in phone and CAPTION in phone
        assert unchosen not in phone
        assert recording in phone
        served = self.client.get(picture)
        assert served.status_code == 200
        assert served["Content-Type"] == "image/jpeg"
        assert served.getvalue() == self.first.file.open("rb").read()
        assert self.client.get(unchosen).status_code == 404
        services.sign(user=self.leader, issue=issue)
        services.distribute(user=self.ed, issue=issue)
        self.client.force_login(self.principal)
        room = self.client.get(reverse("periodicals:reading_issue", args=[issue.pk]))
        assert f'src="{picture}"' in room.content.decode() and CAPTION in room.content.decode()
        assert self.client.get(picture).status_code == 200
        # The reporter of another unit sees neither the issue nor its pictures.
        self.client.force_login(self.bob)
        assert self.client.get(picture).status_code == 404
        # The staff's issue page shows the signed pictures too.
        self.client.force_login(self.ed)
        page = self.client.get(reverse("periodicals:issue", args=[issue.pk])).content.decode()
        assert f'src="{picture}"' in page and CAPTION in page


class DocumentsTest(PictureCase):
    def test_it_prints_the_picture_in_the_docx_at_the_text_width_with_its_caption(self) -> None:
        self.choose((self.first, CAPTION))
        word = docx.Document(io.BytesIO(outputs.docx_bytes(self.signed())))
        assert len(word.inline_shapes) == 1
        shape = word.inline_shapes[0]
        assert abs(shape.width.mm - L.TYPE_WIDTH_MM) < 0.5
        assert abs(shape.height.mm - L.TYPE_WIDTH_MM * 800 / 1200) < 0.5
        paragraphs = word.paragraphs
        holder = next(i for i, p in enumerate(paragraphs) if p._p.xpath(".//pic:pic"))
        caption = paragraphs[holder + 1]
        assert caption.text == CAPTION
        run = caption.runs[0]
        fonts = run._r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts is not None and fonts.get(qn("w:eastAsia")) == L.FANGSONG
        assert run.font.size is not None and run.font.size.pt == L.SIZE_3
        # After the item's text, before whatever follows.
        assert paragraphs[holder - 1].text == "7月8日凌晨，青石镇突发山洪。"

    @needs_poppler
    def test_it_prints_the_picture_in_the_pdf_with_its_caption(self) -> None:
        self.choose((self.first, CAPTION), (self.second, "会商现场"))
        pdf = outputs.pdf_bytes(self.signed())
        listing = subprocess.run(
            ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        images = [line.split() for line in listing.splitlines()[2:] if line.strip()]
        assert sorted((int(i[3]), int(i[4])) for i in images) == [(600, 900), (1200, 800)]
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        flat = text.replace(" ", "")
        assert CAPTION in flat and "会商现场" in flat
        assert flat.index("青石镇突发山洪。") < flat.index(CAPTION)

    @pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdfimages") is None,
        reason="needs LibreOffice Writer (soffice) and poppler-utils",
    )
    def test_it_keeps_the_picture_when_libreoffice_opens_the_docx(self) -> None:
        self.choose((self.first, CAPTION))
        data = outputs.docx_bytes(self.signed())
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "issue.docx").write_bytes(data)
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{folder / 'profile'}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(folder),
                    str(folder / "issue.docx"),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            pdf = folder / "issue.pdf"
            listing = subprocess.run(
                ["pdfimages", "-list", str(pdf)], capture_output=True, check=True, text=True
            ).stdout
            text = subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
            ).stdout
        images = [line.split() for line in listing.splitlines()[2:] if line.strip()]
        assert [(int(i[3]), int(i[4])) for i in images] == [(1200, 800)]
        assert CAPTION in text.replace(" ", "")

    def test_it_previews_the_pictures_in_the_browser_without_loading_anything(self) -> None:
        self.choose((self.first, CAPTION))
        self.client.force_login(self.ed)
        preview = self.client.get(reverse("periodicals:issue_preview", args=[self.issue.pk]))
        html = preview.content.decode()
        assert '<img src="data:image/jpeg;base64,' in html and CAPTION in html
        assert "img-src data:" in preview["Content-Security-Policy"]
