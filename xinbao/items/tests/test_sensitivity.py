"""Sensitivity labels (安全标记, GB/T 22239 level 3): 普通 < 内部 < 敏感 on items, attachments and
issues; a clearance on users; nothing above a reader's clearance reaches them anywhere."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from typing import Any

import docx
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinbao.accounts.services import create_token
from xinbao.audit.models import AuditEvent
from xinbao.desk import services as desk_services
from xinbao.incidents.models import Report
from xinbao.incidents.tests.cases import IncidentCase
from xinbao.items.models import Attachment, Item, ItemStatus
from xinbao.items.tests.test_attachments import form, png_bytes
from xinbao.lib.labels import Sensitivity
from xinbao.notify.models import Message
from xinbao.periodicals import services as periodical_services
from xinbao.periodicals.models import Issue
from xinbao.periodicals.tests.factories import PeriodicalCase
from xinbao.scoring import services as scoring_services
from xinbao.scoring.tests.factories import ScoringCase, noon

API = "/api/v1/items"
SECRET = "东城县某领导干部涉嫌违纪线索"
PLAIN = "东城县召开防汛工作会议"


def stored_attachment(
    item: Item, *, label: int, name: str = "现场照片.png", kind: str = "picture"
) -> Attachment:
    """A real stored file (a picture's bytes) on ``item`` with ``label``."""
    attachment = Attachment(
        item=item,
        kind=kind,
        original_name=name,
        content_type="image/png",
        size=len(png_bytes()),
        sha256="ab" * 32,
        sensitivity=label,
        uploaded_by=item.created_by,
    )
    attachment.file.save("ab" * 32, ContentFile(png_bytes()), save=False)
    attachment.save()
    return attachment


class SensitivityCase(PeriodicalCase):
    secret: Item
    plain: Item
    tokens: dict[str, str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Alice, a reporter of county A, is cleared to 内部 by her role; the editor to 敏感.
        cls.secret = cls.make_item(cls.alice, title=SECRET, sensitivity=Sensitivity.SENSITIVE)
        cls.plain = cls.make_item(cls.alice, title=PLAIN)
        cls.tokens = {u.username: create_token(user=u, name="测试")[1] for u in (cls.alice, cls.ed)}

    def api(self, path: str, user: str = "alice", **kwargs: Any) -> Any:
        return self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {self.tokens[user]}", **kwargs)


class RefusalTest(SensitivityCase):
    def test_it_leaves_a_sensitive_item_out_of_an_internal_readers_lists_and_search(self) -> None:
        assert self.alice.clearance_level == Sensitivity.INTERNAL
        self.client.force_login(self.alice)
        listing = self.client.get(reverse("items:list")).content.decode()
        assert PLAIN in listing and SECRET not in listing
        found = self.client.get(reverse("items:list"), {"q": "违纪"}).content.decode()
        assert SECRET not in found and "Nothing here." in found
        home = self.client.get(reverse("home")).content.decode()
        assert SECRET not in home
        # The editor, cleared to 敏感, lists and finds it, with its badge.
        self.client.force_login(self.ed)
        found = self.client.get(reverse("items:list"), {"q": "违纪"}).content.decode()
        assert SECRET in found and 'data-label="3"' in found
        desk = self.client.get(reverse("desk:inbox")).content.decode()
        assert SECRET in desk

    def test_it_refuses_the_page_and_the_downloads_above_the_clearance(self) -> None:
        picture = stored_attachment(self.secret, label=Sensitivity.ORDINARY)
        self.client.force_login(self.alice)
        assert self.client.get(reverse("items:detail", args=[self.secret.pk])).status_code == 404
        for name in ("items:attachment", "items:attachment_inline"):
            url = reverse(name, args=[self.secret.pk, picture.pk])
            assert self.client.get(url).status_code == 404, name
        self.client.force_login(self.ed)
        page = self.client.get(reverse("items:detail", args=[self.secret.pk]))
        assert page.status_code == 200 and SECRET in page.content.decode()
        download = self.client.get(reverse("items:attachment", args=[self.secret.pk, picture.pk]))
        assert b"".join(download.streaming_content) == png_bytes()  # type: ignore[attr-defined]  # a FileResponse streams

    def test_it_hides_an_attachment_labelled_above_the_reader_on_an_item_they_see(self) -> None:
        shown = stored_attachment(self.plain, label=Sensitivity.INTERNAL, name="通知.png")
        hidden = stored_attachment(self.plain, label=Sensitivity.SENSITIVE, name="名单.png")
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:detail", args=[self.plain.pk])).content.decode()
        assert "通知.png" in page and "名单.png" not in page
        url = reverse("items:attachment", args=[self.plain.pk, hidden.pk])
        assert self.client.get(url).status_code == 404
        data = self.api(f"{API}/{self.plain.pk}").json()
        assert [a["id"] for a in data["attachments"]] == [shown.pk]
        assert data["attachments"][0]["sensitivity"] == "internal"

    def test_it_leaves_the_item_out_of_the_api_list_and_refuses_its_detail(self) -> None:
        listed = self.api(API).json()
        titles = [i["title"] for i in listed["items"]]
        assert PLAIN in titles and SECRET not in titles
        assert len(listed["items"]) == 1 and listed["next"] is None
        assert self.api(f"{API}/{self.secret.pk}").status_code == 404
        read = self.api(f"{API}/{self.secret.pk}", user="ed")
        assert read.status_code == 200 and read.json()["sensitivity"] == "sensitive"


class IssueTest(SensitivityCase):
    def distributed(self, *items: Item) -> Issue:
        issue = periodical_services.sign(user=self.leader, issue=self.awaiting(*items))
        return periodical_services.distribute(user=self.ed, issue=issue)

    def test_it_refuses_an_issue_holding_a_sensitive_item_and_its_documents(self) -> None:
        self.periodical.readers.add(self.liaison)  # cleared to 内部 by role
        secret = self.adopted(SECRET, sensitivity=Sensitivity.SENSITIVE)
        issue = self.distributed(secret, self.adopted("西山县开展汛前隐患排查", user=self.bob))
        self.client.force_login(self.liaison)
        reading = self.client.get(reverse("periodicals:reading")).content.decode()
        assert reverse("periodicals:reading_issue", args=[issue.pk]) not in reading
        for name in (
            "periodicals:reading_issue",
            "periodicals:issue_docx",
            "periodicals:issue_pdf",
            "periodicals:issue_preview",
        ):
            url = reverse(name, args=[issue.pk])
            assert self.client.get(url).status_code == 404, name
        # A leader, cleared to 敏感, reads it; the document's header carries the label.
        self.client.force_login(self.principal)
        page = self.client.get(reverse("periodicals:reading_issue", args=[issue.pk]))
        assert page.status_code == 200 and SECRET in page.content.decode()
        assert 'id="issue-label" data-label="3">Sensitive<' in page.content.decode()
        response = self.client.get(reverse("periodicals:issue_docx", args=[issue.pk]))
        word = docx.Document(io.BytesIO(response.content))
        assert word.paragraphs[0].text == "敏感"

    def test_it_offers_a_compiler_only_items_within_their_clearance(self) -> None:
        self.ed.clearance = Sensitivity.INTERNAL
        self.ed.save(update_fields=["clearance"])
        self.adopted(SECRET, sensitivity=Sensitivity.SENSITIVE)
        self.adopted(PLAIN)
        issue = periodical_services.create_issue(user=self.ed, periodical=self.periodical)
        self.client.force_login(self.ed)
        page = self.client.get(reverse("periodicals:issue_add_items", args=[issue.pk]))
        assert PLAIN in page.content.decode() and SECRET not in page.content.decode()

    def test_it_lists_only_the_files_within_the_readers_clearance(self) -> None:
        self.periodical.readers.add(self.liaison)
        item = self.adopted(PLAIN)
        stored_attachment(item, label=Sensitivity.ORDINARY, name="通知.pdf", kind="document")
        stored_attachment(item, label=Sensitivity.SENSITIVE, name="名单.pdf", kind="document")
        issue = self.distributed(item)
        self.client.force_login(self.liaison)
        page = self.client.get(reverse("periodicals:reading_issue", args=[issue.pk]))
        assert page.status_code == 200
        assert "通知.pdf" in page.content.decode() and "名单.pdf" not in page.content.decode()

    @pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
    def test_it_prints_the_label_on_the_pdf(self) -> None:
        issue = self.distributed(self.adopted(PLAIN, sensitivity=Sensitivity.INTERNAL))
        self.client.force_login(self.principal)
        response = self.client.get(reverse("periodicals:issue_pdf", args=[issue.pk]))
        pdf = response.content
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert text.strip().startswith("内部")


class LabelDecisionTest(SensitivityCase):
    def test_it_lets_the_editor_raise_a_label_audited(self) -> None:
        self.client.force_login(self.ed)
        url = reverse("items:label", args=[self.plain.pk])
        response = self.client.post(url, {"sensitivity": Sensitivity.SENSITIVE}, follow=True)
        assert "The item&#x27;s label is now Sensitive." in response.content.decode()
        self.plain.refresh_from_db()
        assert self.plain.sensitivity == Sensitivity.SENSITIVE
        event = AuditEvent.objects.get(action="item.label_raise", object_id=str(self.plain.pk))
        assert event.actor_id == self.ed.pk
        assert event.summary["from"] == "ordinary" and event.summary["to"] == "sensitive"
        # From now on it is gone from its own unit's reporter.
        self.client.force_login(self.alice)
        assert self.client.get(reverse("items:detail", args=[self.plain.pk])).status_code == 404

    def test_it_lowers_a_label_only_with_a_reason(self) -> None:
        self.client.force_login(self.ed)
        url = reverse("items:label", args=[self.secret.pk])
        refused = self.client.post(url, {"sensitivity": Sensitivity.INTERNAL, "reason": " "})
        assert refused.status_code == 400
        assert "Say why the label is lowered." in refused.content.decode()
        self.secret.refresh_from_db()
        assert self.secret.sensitivity == Sensitivity.SENSITIVE
        self.client.post(url, {"sensitivity": Sensitivity.INTERNAL, "reason": "线索已公开通报"})
        self.secret.refresh_from_db()
        assert self.secret.sensitivity == Sensitivity.INTERNAL
        event = AuditEvent.objects.get(action="item.label_lower")
        assert event.summary["reason"] == "线索已公开通报"

    def test_it_refuses_a_label_change_to_a_reporter(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("items:label", args=[self.plain.pk])
        assert self.client.post(url, {"sensitivity": Sensitivity.INTERNAL}).status_code == 403

    def test_it_keeps_a_writer_from_lowering_a_sent_item_on_the_form(self) -> None:
        sent = self.make_item(self.alice, title="退回的信息", status=ItemStatus.RETURNED)
        Item.objects.filter(pk=sent.pk).update(sensitivity=Sensitivity.INTERNAL)
        self.client.force_login(self.alice)
        page = self.client.post(
            reverse("items:edit", args=[sent.pk]),
            form(title="退回的信息", sensitivity=Sensitivity.ORDINARY, action="save"),
        ).content.decode()
        assert "Once sent, an item&#x27;s label is lowered only by the editor" in page
        sent.refresh_from_db()
        assert sent.sensitivity == Sensitivity.INTERNAL


class MergeTest(SensitivityCase):
    def test_it_gives_a_merged_item_the_highest_label_of_its_sources(self) -> None:
        merged = desk_services.merge(
            user=self.ed, items=[self.plain, self.secret], title="全县情况汇总", body="汇总。"
        )
        assert merged.sensitivity == Sensitivity.SENSITIVE
        self.client.force_login(self.alice)
        assert self.client.get(reverse("items:detail", args=[merged.pk])).status_code == 404


class ClearanceScreenTest(SensitivityCase):
    def test_it_lets_the_security_administrator_set_a_clearance(self) -> None:
        self.client.force_login(self.secadmin)
        users = self.client.get(reverse("accounts:user_list")).content.decode()
        assert reverse("accounts:clearance_list") in users
        screen = self.client.get(reverse("accounts:clearance_list"))
        assert screen.status_code == 200 and "alice" in screen.content.decode()
        row = self.client.post(
            reverse("accounts:clearance_set", args=[self.alice.pk]),
            {"clearance": Sensitivity.SENSITIVE},
            HTTP_HX_REQUEST="true",
        )
        assert row.status_code == 200 and "Saved." in row.content.decode()
        self.alice.refresh_from_db()
        assert self.alice.clearance_level == Sensitivity.SENSITIVE
        event = AuditEvent.objects.get(action="user.clearance")
        assert event.actor_id == self.secadmin.pk
        assert event.summary == {"username": "alice", "from": "role", "to": "sensitive"}
        # Now cleared, Alice opens the sensitive item of her unit.
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:detail", args=[self.secret.pk]))
        assert page.status_code == 200 and SECRET in page.content.decode()

    def test_it_keeps_clearances_from_the_system_administrator(self) -> None:
        self.client.force_login(self.sysadmin)
        assert self.client.get(reverse("accounts:clearance_list")).status_code == 403
        url = reverse("accounts:clearance_set", args=[self.alice.pk])
        assert self.client.post(url, {"clearance": Sensitivity.SENSITIVE}).status_code == 403
        self.alice.refresh_from_db()
        assert self.alice.clearance is None


class AttachmentLabelTest(SensitivityCase):
    def test_it_allows_a_lower_label_on_an_attachment_than_its_item(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(
            reverse("items:create"),
            form(
                sensitivity=Sensitivity.INTERNAL,
                upload_sensitivity=Sensitivity.ORDINARY,
                uploads=[SimpleUploadedFile("现场.png", png_bytes())],
                action="save",
            ),
        )
        item = Item.objects.get(title="东城县突发山洪")
        assert item.sensitivity == Sensitivity.INTERNAL
        assert item.attachments.get().sensitivity == Sensitivity.ORDINARY

    def test_it_gives_an_attachment_its_items_label_by_default(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(
            reverse("items:create"),
            form(
                sensitivity=Sensitivity.INTERNAL,
                uploads=[SimpleUploadedFile("现场.png", png_bytes())],
                action="save",
            ),
        )
        item = Item.objects.get(title="东城县突发山洪")
        assert item.attachments.get().sensitivity == Sensitivity.INTERNAL

    def test_it_refuses_a_label_above_the_uploaders_clearance(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.post(
            reverse("items:create"),
            form(
                upload_sensitivity=Sensitivity.SENSITIVE,
                uploads=[SimpleUploadedFile("名单.png", png_bytes())],
                action="save",
            ),
            follow=True,
        ).content.decode()
        assert "“名单.png” may not be labelled above your own clearance (Internal)." in page
        assert not Attachment.objects.exists()
        # Nor an item itself, on the form or over the API.
        refused = self.client.post(
            reverse("items:create"), form(title="另一条", sensitivity=Sensitivity.SENSITIVE)
        )
        assert "You may not label anything above your own clearance (Internal)." in (
            refused.content.decode()
        )
        assert not Item.objects.filter(title="另一条").exists()
        draft = self.client.post(
            API,
            {
                "title": "东城县遭遇强降雨",
                "body": "6月1日夜间，东城县普降暴雨。",
                "kind": "dynamic",
                "writer_name": "赵小红",
                "writer_phone": "13800000001",
                "sensitivity": "sensitive",
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['alice']}",
        )
        assert draft.status_code == 422
        assert ["body", "payload", "sensitivity"] in [e["loc"] for e in draft.json()["detail"]]

    def test_it_refuses_an_api_upload_labelled_above_the_uploader(self) -> None:
        draft = self.make_item(self.alice, title="草稿", status=ItemStatus.DRAFT)
        response = self.client.post(
            f"{API}/{draft.pk}/attachments",
            {
                "file": SimpleUploadedFile("名单.png", png_bytes()),
                "sensitivity": "sensitive",
            },
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['alice']}",
        )
        assert response.status_code == 422
        assert not Attachment.objects.exists()
        lower = self.client.post(
            f"{API}/{draft.pk}/attachments",
            {"file": SimpleUploadedFile("通知.png", png_bytes()), "sensitivity": "ordinary"},
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['alice']}",
        )
        assert lower.status_code == 201 and lower.json()["sensitivity"] == "ordinary"


class IncidentReportTest(IncidentCase):
    def test_it_never_offers_a_reporter_their_units_sensitive_item_to_file(self) -> None:
        [demand] = self.demand(self.open_incident())
        url = reverse("incidents:request_detail", args=[demand.pk])
        self.make_item(self.alice, title=PLAIN)
        secret = self.make_item(self.alice, title=SECRET, sensitivity=Sensitivity.SENSITIVE)
        body = self.page(self.alice, url)
        assert PLAIN in body and SECRET not in body
        self.client.force_login(self.alice)
        refused = self.client.post(
            reverse("incidents:request_file", args=[demand.pk]), {"item": secret.pk}
        )
        assert refused.status_code == 400
        assert not Report.objects.filter(item=secret).exists()


class ScoringLedgerTest(ScoringCase):
    def test_it_withholds_the_title_of_an_adopted_item_above_the_readers_clearance(self) -> None:
        day = dt.date(2026, 4, 3)
        self.enterContext(time_machine.travel(noon(dt.date(2026, 4, 20)), tick=False))
        scoring_services.post_adoption(adoption=self.adopt(self.item(self.alice, title=PLAIN), day))
        secret = self.item(self.alice, title=SECRET, sensitivity=Sensitivity.SENSITIVE)
        scoring_services.post_adoption(adoption=self.adopt(secret, day))
        url = reverse("scoring:unit", args=[self.county_a.pk])
        self.client.force_login(self.alice)
        page = self.client.get(url).content.decode()
        assert PLAIN in page and SECRET not in page
        assert "An item above your clearance" in page
        self.client.force_login(self.chief)
        assert SECRET in self.client.get(url).content.decode()


class DeskMessageTest(SensitivityCase):
    def test_it_leaves_a_sensitive_title_out_of_the_units_messages(self) -> None:
        desk_services.return_for_revision(user=self.ed, item=self.secret, comment="请补充")
        desk_services.return_for_revision(user=self.ed, item=self.plain, comment="请补充")
        bodies = [m.body for m in Message.objects.filter(event="desk_returned", user=self.alice)]
        assert len(bodies) == 2
        assert any(PLAIN in b for b in bodies)
        assert not any(SECRET in b for b in bodies)
        assert any("(an item labelled Sensitive)" in b for b in bodies)
