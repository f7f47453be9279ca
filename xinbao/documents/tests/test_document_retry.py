"""A render that failed every time it may be tried, asked for once more from the page by
whoever may download it (audited) and then downloaded; a lost render re-queued once however
many requests find it lost; a late failure of a render made ready meanwhile left unrecorded;
the partial's polling answered from the frozen subject's row without rebuilding it."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pypdf
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xinbao.audit.models import AuditEvent
from xinbao.documents import services as documents
from xinbao.documents.models import RenderedDocument, RenderState
from xinbao.documents.tests.test_issue_documents import HTMX, TITLE, SignedIssue
from xinbao.periodicals import outputs, services

GIVEN_UP = "It failed every time it was tried"


def run_worker() -> None:
    call_command("db_worker", "--batch", verbosity=0)


class DocumentRetryTest(SignedIssue, TransactionTestCase):
    def exhausted(self) -> Path:
        """Both documents of a signed issue failed as often as they may be tried (the worker,
        then the editor twice): storing fails where the documents' folder is a file."""
        blocker = Path(settings.MEDIA_ROOT) / "documents"
        blocker.parent.mkdir(parents=True, exist_ok=True)
        blocker.write_bytes(b"not a folder")
        self.issue = self.signed()
        run_worker()
        self.client.force_login(self.ed)
        for fmt in ("pdf", "docx"):
            url = reverse(f"periodicals:issue_{fmt}", args=[self.issue.pk])
            for _ in range(documents.MAX_ATTEMPTS - 1):
                assert self.client.get(url).status_code == 503
        assert set(RenderedDocument.objects.values_list("state", "attempts")) == {
            (RenderState.FAILED, documents.MAX_ATTEMPTS)
        }
        return blocker

    def test_it_retries_a_render_that_failed_every_time_from_the_page(self) -> None:
        blocker = self.exhausted()
        pdf_url = reverse("periodicals:issue_pdf", args=[self.issue.pk])
        failed = self.client.get(pdf_url, headers=HTMX).content.decode()
        assert GIVEN_UP in failed and "Try again" not in failed
        assert f'hx-post="{pdf_url}"' in failed and ">Retry</button>" in failed
        # The cause mended, the editor presses "Retry": being prepared, polling again.
        blocker.unlink()
        retried = self.client.post(pdf_url, headers=HTMX).content.decode()
        assert "is being prepared" in retried and 'hx-trigger="every 2s"' in retried
        row = RenderedDocument.objects.get(format="pdf")
        assert row.state == RenderState.PENDING
        event = AuditEvent.objects.get(action="document.retried")
        assert event.actor == self.ed
        run_worker()
        ready = self.client.get(pdf_url, headers=HTMX).content.decode()
        assert f"Download {outputs.file_name(self.issue, 'pdf')}<" in ready
        response = self.client.get(pdf_url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
        text = "".join(page.extract_text() for page in pages)
        assert TITLE in text.replace(" ", "")
        # Pressed again once it is ready: nothing more is asked, nothing more recorded.
        again = self.client.post(pdf_url, headers=HTMX).content.decode()
        assert "Download " in again
        assert AuditEvent.objects.filter(action="document.retried").count() == 1

    def test_it_retries_from_the_error_page_and_hands_out_the_file(self) -> None:
        blocker = self.exhausted()
        docx_url = reverse("periodicals:issue_docx", args=[self.issue.pk])
        page = self.client.get(docx_url)
        assert page.status_code == 503 and GIVEN_UP in page.content.decode()
        assert f'<form method="post" action="{docx_url}"' in page.content.decode()
        blocker.unlink()
        # Without htmx: retried, then back to the download, rendered there and then.
        response = self.client.post(docx_url, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain == [(docx_url, 302)]
        word = docx.Document(io.BytesIO(response.content))
        assert any(TITLE in p.text for p in word.paragraphs)
        assert RenderedDocument.objects.get(format="docx").state == RenderState.READY
        assert AuditEvent.objects.filter(action="document.retried").count() == 1

    def test_it_keeps_the_retry_to_those_who_may_download(self) -> None:
        self.exhausted()
        pdf_url = reverse("periodicals:issue_pdf", args=[self.issue.pk])
        # A reporter may not download the issue: nor ask for it again.
        self.client.force_login(self.alice)
        assert self.client.post(pdf_url, headers=HTMX).status_code == 404
        assert not AuditEvent.objects.filter(action="document.retried").exists()
        assert RenderedDocument.objects.get(format="pdf").state == RenderState.FAILED

    def test_it_requeues_a_lost_render_once(self) -> None:
        issue = self.signed()
        row = documents.prepare(
            kind=services.ISSUE_DOCUMENT, subject=issue, fmt="pdf", enqueue=False
        )
        lost_at = timezone.now() - documents.LOST_AFTER * 2
        RenderedDocument.objects.filter(pk=row.pk).update(queued_at=lost_at)
        # Two requests read the lost row at the same moment.
        first = RenderedDocument.objects.get(pk=row.pk)
        second = RenderedDocument.objects.get(pk=row.pk)
        tasks = DBTaskResult.objects.filter(task_path__endswith="render_document")
        assert documents.requeue_lost(first) is True
        assert documents.requeue_lost(second) is False
        assert AuditEvent.objects.filter(action="document.requeued").count() == 1
        assert tasks.count() == 1
        # Asked for through the page meanwhile: queued already, nothing more.
        self.client.force_login(self.ed)
        self.client.get(reverse("periodicals:issue_pdf", args=[issue.pk]), headers=HTMX)
        assert AuditEvent.objects.filter(action="document.requeued").count() == 1
        assert tasks.count() == 1
        run_worker()
        assert RenderedDocument.objects.get(pk=row.pk).state == RenderState.READY

    def test_it_records_no_failure_of_a_render_made_ready_meanwhile(self) -> None:
        issue = self.signed()
        run_worker()
        row = RenderedDocument.objects.get(format="pdf")
        # A second writer that failed late (its storage gone) after the first made it ready.
        documents._failed(row, "OSError: the disk went away")
        row.refresh_from_db()
        assert row.state == RenderState.READY and row.error == ""
        assert not AuditEvent.objects.filter(action="document.failed").exists()
        self.client.force_login(self.leader)
        response = self.client.get(reverse("periodicals:issue_pdf", args=[issue.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")

    def test_it_answers_the_polls_of_a_frozen_issue_from_its_row(self) -> None:
        issue = self.signed()
        run_worker()
        pdf = RenderedDocument.objects.get(format="pdf")
        assert pdf.renderer == documents.renderer_version()
        with CaptureQueriesContext(connection) as lookups:
            again = documents.prepare(kind=services.ISSUE_DOCUMENT, subject=issue, fmt="pdf")
        # The row found by subject and format: the issue's items are not read again.
        assert again.pk == pdf.pk
        sql = [q["sql"] for q in lookups.captured_queries]
        assert not [q for q in sql if "periodicals_" in q or "items_" in q], sql
        assert sum("documents_rendereddocument" in q for q in sql) == 1, sql
        # A row from before the renderer was kept (or another renderer's): found by content.
        RenderedDocument.objects.filter(pk=pdf.pk).update(renderer="")
        again = documents.prepare(kind=services.ISSUE_DOCUMENT, subject=issue, fmt="pdf")
        assert again.pk == pdf.pk and again.renderer == documents.renderer_version()
        assert RenderedDocument.objects.get(pk=pdf.pk).renderer == documents.renderer_version()
        assert RenderedDocument.objects.count() == 2

    def test_it_hashes_a_draft_issue_every_time(self) -> None:
        issue = services.create_issue(user=self.ed, periodical=self.periodical, title="草稿")
        first = documents.prepare(
            kind=services.ISSUE_DOCUMENT, subject=issue, fmt="pdf", enqueue=False
        )
        issue.title = "草稿（改）"
        issue.save(update_fields=["title"])
        second = documents.prepare(
            kind=services.ISSUE_DOCUMENT, subject=issue, fmt="pdf", enqueue=False
        )
        # Not frozen: its content changed, so did its document.
        assert second.pk != first.pk and second.sha256 != first.sha256
