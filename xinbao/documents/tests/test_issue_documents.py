"""A signed issue's PDF and DOCX rendered by the real worker, kept once per content, served
from the cache with the same access checks; "being prepared" until then, a failure shown and
tried again, a render cut off with its worker done again by the reaper's re-queue."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pypdf
from django.conf import settings
from django.core.management import call_command
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinbao.audit.models import AuditEvent
from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.documents import services as documents
from xinbao.documents.models import RenderedDocument, RenderState
from xinbao.documents.tasks import prepare_documents
from xinbao.items.models import ItemStatus
from xinbao.periodicals import outputs, services
from xinbao.periodicals.models import Issue, SignerRule
from xinbao.periodicals.tests.factories import make_periodical
from xinbao.scheduler.services import reap_orphaned_tasks
from xinbao.test import Personas

TITLE = "东城县多措并举做好防汛抗旱工作"
ISSUE_TITLE = "汛期专报"
HTMX = {"HX-Request": "true"}


def run_worker() -> None:
    call_command("db_worker", "--batch", verbosity=0)


class SignedIssue(Personas):
    """A periodical with its readers, and an issue of two adopted items signed by the leader."""

    def setUp(self) -> None:
        self.create_personas()
        # Its own rule: the routing table by urgency is data a flush between tests removes.
        self.periodical = make_periodical(signer_rule=SignerRule.LEADER_IN_CHARGE)
        self.periodical.readers.add(self.leader, self.principal, self.liaison)

    def signed(self) -> Issue:
        items = []
        for title, user in ((TITLE, self.alice), ("西山县开展汛前隐患排查", self.bob)):
            item = self.make_item(user, status=ItemStatus.ADOPTED, title=title)
            Adoption.objects.create(
                item=item,
                level=AdoptionLevel.OFFICE,
                periodical=self.periodical,
                adopted_on=timezone.localdate(),
                by=self.ed,
            )
            items.append(item)
        issue = services.create_issue(user=self.ed, periodical=self.periodical, title=ISSUE_TITLE)
        services.add_items(user=self.ed, issue=issue, items=items)
        issue = services.check(user=self.chief, issue=services.submit(user=self.ed, issue=issue))
        return services.sign(user=self.leader, issue=issue)


class IssueDocumentTest(SignedIssue, TransactionTestCase):
    """The real worker, in its own transactions (it closes its connection when done)."""

    def download(self, url: str) -> bytes:
        response = self.client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        return response.content

    def test_it_offers_a_signed_issue_being_prepared_then_its_link_and_the_file(self) -> None:
        issue = self.signed()
        pdf_url = reverse("periodicals:issue_pdf", args=[issue.pk])
        self.client.force_login(self.ed)
        # The issue's page asks for the partial on load instead of rendering anything.
        page = self.client.get(reverse("periodicals:issue", args=[issue.pk])).content.decode()
        assert f'id="pdf" hx-get="{pdf_url}" hx-trigger="load"' in page
        # Signed, not yet rendered by the worker: being prepared, polling the same address.
        poll = self.client.get(pdf_url, headers=HTMX).content.decode()
        assert "is being prepared" in poll and 'hx-trigger="every 2s"' in poll
        assert "Download" not in poll

        run_worker()

        ready = self.client.get(pdf_url, headers=HTMX).content.decode()
        assert "is being prepared" not in ready and "hx-trigger" not in ready
        name = outputs.file_name(issue, "pdf")
        assert f'href="{pdf_url}" id="pdf">Download {name}<' in ready
        response = self.client.get(pdf_url)
        assert response["Content-Type"] == "application/pdf"
        assert "filename*=utf-8''" in response["Content-Disposition"]
        pdf = response.content
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        assert ISSUE_TITLE in text.replace(" ", "") and TITLE in text.replace(" ", "")
        word = docx.Document(
            io.BytesIO(self.download(reverse("periodicals:issue_docx", args=[issue.pk])))
        )
        assert any(TITLE in p.text for p in word.paragraphs)
        # Kept under the SHA-256 of its content, in the office's storage.
        row = RenderedDocument.objects.get(format="pdf")
        assert row.state == RenderState.READY and row.size == len(pdf)
        assert row.file.name == f"documents/{row.sha256[:2]}/{row.sha256}.pdf"
        assert (Path(settings.MEDIA_ROOT) / row.file.name).read_bytes() == pdf
        assert AuditEvent.objects.filter(action="document.rendered").count() == 2

    def test_it_renders_the_same_content_once(self) -> None:
        issue = self.signed()
        run_worker()
        first = {row.format: row.rendered_at for row in RenderedDocument.objects.all()}
        assert set(first) == {"pdf", "docx"}
        # Asked again (the freeze's task run twice, downloads): nothing is rendered again.
        prepare_documents.enqueue(services.ISSUE_DOCUMENT, issue.pk, ["pdf", "docx"])
        run_worker()
        self.client.force_login(self.leader)
        self.download(reverse("periodicals:issue_pdf", args=[issue.pk]))
        self.download(reverse("periodicals:issue_pdf", args=[issue.pk]))
        run_worker()
        assert RenderedDocument.objects.count() == 2
        assert {row.format: row.rendered_at for row in RenderedDocument.objects.all()} == first
        assert AuditEvent.objects.filter(action="document.rendered").count() == 2
        assert prepare_documents.call(services.ISSUE_DOCUMENT, issue.pk, ["pdf"]) == "pdf: exists"

    def test_it_renders_a_file_asked_for_before_the_worker_into_the_cache(self) -> None:
        issue = self.signed()
        self.client.force_login(self.leader)
        # Followed at once, before the worker ran: the person gets the file all the same.
        pdf = self.download(reverse("periodicals:issue_pdf", args=[issue.pk]))
        assert pdf.startswith(b"%PDF")
        assert RenderedDocument.objects.get(format="pdf").state == RenderState.READY
        run_worker()
        # The worker made the DOCX and found the PDF made already.
        assert set(RenderedDocument.objects.values_list("format", "state")) == {
            ("pdf", "ready"),
            ("docx", "ready"),
        }
        assert AuditEvent.objects.filter(action="document.rendered").count() == 2

    def test_it_shows_a_failed_render_and_tries_it_again(self) -> None:
        # Where the documents' folder should be, a file: storing the PDF fails.
        blocker = Path(settings.MEDIA_ROOT) / "documents"
        blocker.parent.mkdir(parents=True, exist_ok=True)
        blocker.write_bytes(b"not a folder")
        issue = self.signed()
        run_worker()
        row = RenderedDocument.objects.get(format="pdf")
        assert row.state == RenderState.FAILED and row.attempts == 1 and row.error
        assert AuditEvent.objects.filter(action="document.failed").count() == 2
        pdf_url = reverse("periodicals:issue_pdf", args=[issue.pk])
        self.client.force_login(self.ed)
        poll = self.client.get(pdf_url, headers=HTMX).content.decode()
        assert f"{outputs.file_name(issue, 'pdf')} could not be prepared: " in poll
        assert "Try again" in poll and "hx-trigger" not in poll
        # Tried again while the cause is still there: failed again, said so.
        again = self.client.get(pdf_url)
        assert again.status_code == 503 and "could not be prepared" in again.content.decode()

        blocker.unlink()
        pdf = self.download(pdf_url)
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        assert TITLE in text.replace(" ", "")
        row.refresh_from_db()
        assert row.state == RenderState.READY and row.attempts == 3 and row.error == ""

    def test_it_keeps_the_access_checks_of_the_issue(self) -> None:
        issue = self.signed()
        run_worker()
        pdf_url = reverse("periodicals:issue_pdf", args=[issue.pk])
        # A reporter, and a reader before distribution, get nothing, cached or not.
        for user in (self.alice, self.liaison):
            self.client.force_login(user)
            assert self.client.get(pdf_url).status_code == 404
            assert self.client.get(pdf_url, headers=HTMX).status_code == 404
        services.distribute(user=self.ed, issue=issue)
        assert self.download(pdf_url).startswith(b"%PDF")

    def test_it_renders_again_what_a_killed_worker_left_half_done(self) -> None:
        issue = self.signed()
        # A worker claimed the freeze's task, made the PDF's row, wrote part of the file and
        # died: no heartbeat, running for longer than the staleness.
        task = DBTaskResult.objects.get(task_path__endswith="prepare_documents")
        row = documents.prepare(
            kind=services.ISSUE_DOCUMENT, subject=issue, fmt="pdf", enqueue=False
        )
        half = Path(settings.MEDIA_ROOT) / documents.storage_name(row.sha256, "pdf")
        half.parent.mkdir(parents=True)
        half.write_bytes(b"%PDF-1.7\n% cut off")
        DBTaskResult.objects.filter(pk=task.pk).update(
            status=TaskResultStatus.RUNNING,
            worker_ids=["killed"],
            started_at=timezone.now() - dt.timedelta(hours=1),
        )
        assert reap_orphaned_tasks().requeued == 1
        run_worker()
        row.refresh_from_db()
        assert row.state == RenderState.READY
        pdf = half.read_bytes()
        assert row.size == len(pdf) and pdf.rstrip().endswith(b"%%EOF")
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        assert TITLE in text.replace(" ", "")
        assert AuditEvent.objects.filter(action="document.rendered").count() == 2
