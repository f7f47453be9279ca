"""A commission from an empty office to the ledger: the section chief plans and sends it through
the menu, a unit's reporter is told (in-app and by email to a loopback SMTP server), reads the
notice, answers with an item; another unit is reminded, misses it and loses the points, then
answers late."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import docx
import time_machine
from django.test import override_settings
from django.urls import reverse

from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.peers import SmtpPeer
from xinbao.research.chores import DEADLINES
from xinbao.research.models import Assignment, AssignmentState, Commission, CommissionState
from xinbao.scheduler.services import run_chore
from xinbao.scoring.models import Cause, ScoreEntry
from xinbao.test import BaseTestCase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: Wednesday 1 April 2026, mid-morning in Shanghai; the commission is due Friday 10 April.
START = dt.datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)
DUE = dt.date(2026, 4, 10)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    return "\n".join(texts)


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notice.pdf"
        path.write_bytes(content)
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def run_queued_tasks() -> None:
    """What a worker does with each queued task, inside this test's transaction (the
    ``db_worker`` command closes the database connection it is given)."""
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.ready():
        result.claim("test")
        result.set_successful(
            result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        )


class CommissionFlowTest(BaseTestCase):
    def setUp(self) -> None:
        self.smtp = SmtpPeer()
        self.enterContext(self.smtp.running())
        self.enterContext(
            override_settings(
                XINBAO_NOTIFY={
                    "site_url": "http://testserver",
                    "email": {
                        "host": "127.0.0.1",
                        "port": self.smtp.port,
                        "security": "none",
                        "from": "信报 <xinbao@office.gov.cn>",
                        "timeout": 2,
                    },
                }
            )
        )
        self.alice.email = "alice@dongcheng.gov.cn"
        self.alice.save(update_fields=["email"])
        self.bob.email = "bob@xishan.gov.cn"
        self.bob.save(update_fields=["email"])

    def mailed(self, to: str) -> list[str]:
        """The subjects of the mails the SMTP peer received for ``to``, in order."""
        return [str(m.parsed()["Subject"]) for m in self.smtp.received if m.rcpt_tos == [to]]

    def send_through_the_menu(self) -> Commission:
        self.client.force_login(self.chief)
        menu = dict(self.client.get("/").context["nav_all"])
        plan = menu["Research commissions"]
        assert plan == reverse("research:plan")
        page = self.client.get(plan)
        assert "Grassroots hot issues" in page.content.decode()
        create = reverse("research:create")
        form = self.client.get(create)
        # The writing requirements start from 情况、分析、对策.
        assert "对策" in form.content.decode()
        values = {
            "subject": "农村集体经济发展情况",
            "source": "central_work",
            "form": "commissioned",
            "requirements": "一、情况\n二、分析：制约因素\n三、对策：发展路径",
            "due_on": DUE.isoformat(),
            "send": "1",
        }
        refused = self.client.post(create, values)
        assert refused.status_code == 400
        text = refused.content.decode()
        assert "Choose at least one unit, by class or one by one." in text
        assert "农村集体经济发展情况" in text  # what was typed is kept
        sent = self.client.post(
            create, {**values, "units": [self.county_a.pk, self.county_b.pk]}, follow=True
        )
        assert sent.status_code == 200
        commission = Commission.objects.get()
        assert commission.state == CommissionState.SENT
        assert commission.number == "约稿〔2026〕1号"
        assert "约稿〔2026〕1号 sent." in sent.content.decode()
        return commission

    def test_it_runs_a_commission_from_sending_to_the_ledger(self) -> None:
        with time_machine.travel(START, tick=False):
            with self.captureOnCommitCallbacks(execute=True):
                commission = self.send_through_the_menu()
            deliver_due()
            # The reporter of county A, in-app at once; by email once the worker has drawn
            # the notice, with the PDF attached.
            assert Notification.objects.filter(
                user=self.alice, link=f"/research/{commission.pk}/"
            ).exists()
            assert not self.smtp.received
            run_queued_tasks()
            deliver_due()
        [mail] = [m for m in self.smtp.received if m.rcpt_tos == ["alice@dongcheng.gov.cn"]]
        parsed = mail.parsed()
        assert "农村集体经济发展情况" in parsed["Subject"]
        [attached] = list(parsed.iter_attachments())
        assert attached.get_filename() == "约稿〔2026〕1号.pdf"
        assert "农村集体经济发展情况" in pdf_text(attached.get_content())
        assert Notification.objects.filter(user=self.bob).exists()
        # Told once: the worker running again mails nothing new.
        run_queued_tasks()
        deliver_due()
        assert len(self.mailed("alice@dongcheng.gov.cn")) == 1
        assert len(self.mailed("bob@xishan.gov.cn")) == 1

        self.client.force_login(self.alice)
        with time_machine.travel(START + dt.timedelta(days=1), tick=False):
            menu = dict(self.client.get("/").context["nav_all"])
            mine = self.client.get(menu["Our commissions"])
            assert "农村集体经济发展情况" in mine.content.decode()
            detail = reverse("research:detail", args=[commission.pk])
            assert self.client.get(detail).status_code == 200
            word = self.client.get(reverse("research:notice_docx", args=[commission.pk]))
            text = docx_text(word.content)
            for expected in (
                "农村集体经济发展情况",
                "东城县委办公室",
                "西山县委办公室",
                "2026年4月10日",
                "三、对策：发展路径",
                "约稿〔2026〕1号",
            ):
                assert expected in text, expected
            pdf = self.client.get(reverse("research:notice_pdf", args=[commission.pk]))
            assert pdf["Content-Type"] == "application/pdf"
            printed = pdf_text(pdf.content)
            assert "农村集体经济发展情况" in printed and "西山县委办公室" in printed

            ours = self.make_item(self.alice, title="东城县村集体经济调研报告")
            theirs = self.make_item(self.bob, title="西山县村集体经济情况")
            answer = reverse("research:answer", args=[commission.pk])
            assert self.client.post(answer, {"item": theirs.pk}).status_code == 404
            self.client.post(answer, {"item": ours.pk})
        county_a = Assignment.objects.get(commission=commission, unit=self.county_a)
        assert county_a.state == AssignmentState.ANSWERED

        # Thursday 9 April, the working day before: county B is reminded, county A is not.
        with time_machine.travel(dt.datetime(2026, 4, 9, 9, 30, tzinfo=SHANGHAI), tick=False):
            run_chore(DEADLINES)
        deliver_due()
        reminders = Notification.objects.filter(message__event="research_reminder")
        assert {n.user for n in reminders} == {self.bob}
        # By email too, to county B's reporter only, once however often the chore runs.
        with time_machine.travel(dt.datetime(2026, 4, 9, 15, 0, tzinfo=SHANGHAI), tick=False):
            run_chore(DEADLINES)
        deliver_due()
        [notice, reminder] = self.mailed("bob@xishan.gov.cn")
        assert "约稿〔2026〕1号" in reminder and reminder != notice
        [mail] = [m for m in self.smtp.received if m.rcpt_tos == ["bob@xishan.gov.cn"]][1:]
        body = mail.parsed().get_body()
        assert body is not None and "农村集体经济发展情况" in body.get_content()
        assert len(self.mailed("alice@dongcheng.gov.cn")) == 1

        # Saturday 11 April: county B missed it, and the ledger has the deduction.
        with time_machine.travel(dt.datetime(2026, 4, 11, 0, 30, tzinfo=SHANGHAI), tick=False):
            run_chore(DEADLINES)
        county_b = Assignment.objects.get(commission=commission, unit=self.county_b)
        assert county_b.state == AssignmentState.MISSED
        deliver_due()
        [_notice, _reminder, missed] = self.mailed("bob@xishan.gov.cn")
        assert "约稿〔2026〕1号" in missed and missed not in (_notice, _reminder)
        [entry] = ScoreEntry.objects.filter(cause=Cause.COMMISSION)
        assert (entry.unit, entry.points, entry.on, entry.cause_id) == (
            self.county_b,
            Decimal("-10"),
            DUE,
            county_b.pk,
        )

        # Bob answers on Monday: recorded as late, shown late; the deduction stays.
        self.client.force_login(self.bob)
        with time_machine.travel(dt.datetime(2026, 4, 13, 9, 0, tzinfo=SHANGHAI), tick=False):
            item = self.make_item(self.bob, title="西山县村集体经济调研报告")
            self.client.post(reverse("research:answer", args=[commission.pk]), {"item": item.pk})
        county_b.refresh_from_db()
        assert county_b.state == AssignmentState.LATE
        assert ScoreEntry.objects.filter(cause=Cause.COMMISSION, unit=self.county_b).count() == 1

        self.client.force_login(self.leader)
        page = self.client.get(reverse("research:detail", args=[commission.pk])).content.decode()
        assert "Answered late" in page and "西山县村集体经济调研报告" in page
        assert "东城县村集体经济调研报告" in page

    def test_it_refuses_the_office_pages_to_a_reporter(self) -> None:
        self.client.force_login(self.alice)
        assert self.client.get(reverse("research:plan")).status_code == 403
        assert self.client.get(reverse("research:create")).status_code == 403
        self.client.force_login(self.leader)
        assert self.client.get(reverse("research:create")).status_code == 403
        assert self.client.get(reverse("research:plan")).status_code == 200

    def test_it_mails_the_notice_without_the_pdf_when_the_worker_cannot_draw_it(self) -> None:
        from unittest import mock

        from xinbao.documents.models import RenderedDocument, RenderState
        from xinbao.research import services

        with time_machine.travel(START, tick=False):
            with self.captureOnCommitCallbacks(execute=True):
                commission = services.create_commission(
                    subject="农村集体经济发展情况",
                    requirements="一、情况\n二、分析\n三、对策",
                    source="central_work",
                    form="commissioned",
                    units=[self.county_a],
                    due_on=DUE,
                    user=self.chief,
                )
            with mock.patch(
                "xinbao.documents.services.render_bytes", side_effect=OSError("no CJK font")
            ):
                run_queued_tasks()
            deliver_due()
        failed = RenderedDocument.objects.get(format="pdf")
        assert failed.state == RenderState.FAILED and "no CJK font" in failed.error
        [mail] = [m for m in self.smtp.received if m.rcpt_tos == ["alice@dongcheng.gov.cn"]]
        parsed = mail.parsed()
        assert not list(parsed.iter_attachments())
        body = parsed.get_body(preferencelist=("plain",))
        assert body is not None and f"/research/{commission.pk}/" in body.get_content()
