"""The quarterly score report: made once when the quarter ends, checked, sent to the heads."""

from __future__ import annotations

import datetime as dt
import io

import docx
import time_machine
from django.test import override_settings
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.notify.models import Dispatch
from xinbao.scoring.chores import scan_report
from xinbao.scoring.models import ReportState, ScoreReport
from xinbao.scoring.tests.factories import ScoringCase, noon


def _docx_text(report: ScoreReport) -> str:
    with report.docx.open("rb") as f:
        document = docx.Document(io.BytesIO(f.read()))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(texts)


class ReportTests(ScoringCase):
    def test_it_makes_no_report_before_the_quarter_ends(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 3, 31)), tick=False):
            scan_report()
        # The chore looks at the quarter just ended: on 31 March that is 2025's last.
        self.assertFalse(ScoreReport.objects.filter(quarter_start=dt.date(2026, 1, 1)).exists())

    def test_it_makes_the_report_once_after_the_quarter_ends(self) -> None:
        item = self.item(self.alice, submitted_at=noon(dt.date(2026, 2, 3)))
        self.adopt(item, dt.date(2026, 2, 5))
        with time_machine.travel(noon(dt.date(2026, 4, 1)), tick=False):
            scan_report()
            scan_report()
        with time_machine.travel(noon(dt.date(2026, 4, 2)), tick=False):
            scan_report()
        reports = ScoreReport.objects.filter(quarter_start=dt.date(2026, 1, 1))
        self.assertEqual(reports.count(), 1)
        report = reports.get()
        self.assertEqual(report.quarter_end, dt.date(2026, 4, 1))
        self.assertEqual(report.state, ReportState.DRAFT)
        self.assertFalse(Dispatch.objects.filter(event="scoring_report").exists())
        text = _docx_text(report)
        self.assertIn("信息工作积分通报", text)
        self.assertIn("2026年第一季度", text)
        row = next(line for line in text.splitlines() if "东城县委办公室" in line)
        self.assertEqual(row.split(" | ")[3], "1")  # adopted
        self.assertIn("西山县委办公室主要负责同志", text)
        with report.pdf.open("rb") as f:
            self.assertTrue(f.read(5).startswith(b"%PDF"))

    def test_it_lets_the_chief_check_and_send_it_to_the_heads(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 4, 1)), tick=False):
            scan_report()
        report = ScoreReport.objects.get(quarter_start=dt.date(2026, 1, 1))
        self.client.force_login(self.chief)
        page = self.client.get(reverse("scoring:report", args=[report.pk]))
        self.assertContains(page, "Check and send")
        download = self.client.get(reverse("scoring:report_file", args=[report.pk, "docx"]))
        self.assertEqual(download.status_code, 200)
        with time_machine.travel(noon(dt.date(2026, 4, 2)), tick=False):
            response = self.client.post(reverse("scoring:report_send", args=[report.pk]))
            self.client.post(reverse("scoring:report_send", args=[report.pk]))
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.SENT)
        self.assertEqual(report.checked_by, self.chief)
        self.assertIsNotNone(report.sent_at)
        told = sorted(
            Dispatch.objects.filter(event="scoring_report").values_list("recipient_name", flat=True)
        )
        # The head and the deputy in charge of each county (the department has no roster).
        self.assertEqual(told, ["刘海燕", "李文华", "王建国", "陈志强"])
        self.assertTrue(AuditEvent.objects.filter(action="scoring.report_checked").exists())

    def test_it_refuses_the_check_to_an_editor(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 4, 1)), tick=False):
            scan_report()
        report = ScoreReport.objects.get(quarter_start=dt.date(2026, 1, 1))
        self.client.force_login(self.ed)
        response = self.client.post(reverse("scoring:report_send", args=[report.pk]))
        self.assertEqual(response.status_code, 403)
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.DRAFT)

    @override_settings(XINBAO_SCORING={"report_check": False})
    def test_it_sends_at_once_without_the_check(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 4, 1)), tick=False):
            scan_report()
        report = ScoreReport.objects.get(quarter_start=dt.date(2026, 1, 1))
        self.assertEqual(report.state, ReportState.SENT)
        # Two heads and two deputies in charge.
        self.assertEqual(Dispatch.objects.filter(event="scoring_report").count(), 4)
