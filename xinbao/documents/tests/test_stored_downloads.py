"""A file kept in storage handed out by ``lib.http.stored_download``: named for any browser,
never sniffed; a missing file or an empty field is a 404, not a server error."""

from __future__ import annotations

import datetime as dt
import io

import docx
import time_machine
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse

from xinbao.scoring.chores import scan_report
from xinbao.scoring.models import ScoreReport
from xinbao.scoring.tests.factories import ScoringCase, noon


class StoredDownloadTest(ScoringCase):
    def test_it_hands_out_the_stored_report_and_404s_a_missing_one(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 4, 1)), tick=False):
            scan_report()
        report = ScoreReport.objects.get(quarter_start=dt.date(2026, 1, 1))
        self.client.force_login(self.chief)
        url = reverse("scoring:report_file", args=[report.pk, "docx"])
        response = self.client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert isinstance(response, FileResponse)
        word = docx.Document(io.BytesIO(response.getvalue()))
        assert any("信息工作积分通报" in p.text for p in word.paragraphs)
        # Its file gone from storage: not found, not a server error.
        default_storage.delete(report.docx.name)
        assert self.client.get(url).status_code == 404
        # No file at all on the row.
        ScoreReport.objects.filter(pk=report.pk).update(pdf="")
        pdf_url = reverse("scoring:report_file", args=[report.pk, "pdf"])
        assert self.client.get(pdf_url).status_code == 404

    def test_it_names_the_score_export_for_any_browser(self) -> None:
        self.client.force_login(self.chief)
        response = self.client.get(reverse("scoring:export"))
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="scores-') and ".xlsx" in disposition
